// What the user and queue forms share: per-field errors (ours or the switchboard's, put next to
// the field they name), a general message, the saving flag, and the ids that tie them together.
import { tick } from 'svelte';
import { fieldOf } from './fields';

export class AdminForm {
  errors = $state<Record<string, string>>({});
  error = $state('');
  saving = $state(false);

  /** uid prefixes every id; fields are those a server message may name. */
  constructor(
    private readonly uid: string,
    private readonly fields: readonly string[],
  ) {}

  id = (k: string) => `${this.uid}-${k}`;

  /** The id and ARIA attributes of field k's control; hint: the field has a hint to read out. */
  attrs(k: string, hint = false) {
    const describedby = [this.errors[k] ? this.id(`${k}-error`) : '', hint ? this.id(`${k}-hint`) : '']
      .filter(Boolean)
      .join(' ');
    return {
      id: this.id(k),
      'aria-invalid': this.errors[k] ? true : undefined,
      'aria-describedby': describedby || undefined,
    };
  }

  reset() {
    this.errors = {};
    this.error = '';
    this.saving = false;
  }

  /**
   * Shows errs (our own checks) or, when there are none, runs save and closes; a refusal lands
   * next to the field it names, or above the buttons. The first field in error takes the focus.
   */
  async submit(errs: Record<string, string>, save: () => Promise<unknown>, onclose: () => void) {
    this.errors = errs;
    this.error = '';
    if (Object.keys(errs).length) return this.focusError();
    this.saving = true;
    try {
      await save();
      this.saving = false;
      onclose();
    } catch (err) {
      this.saving = false;
      const message = err instanceof Error ? err.message : String(err);
      const field = fieldOf(message, this.fields);
      if (field) this.errors = { [field]: message };
      else this.error = message;
      void this.focusError();
    }
  }

  private async focusError() {
    await tick();
    document.getElementById(Object.keys(this.errors).map(this.id)[0] ?? '')?.focus();
  }
}
