// A settings page for administrators with one "test" action (Settings → Calendar, Settings →
// Mail): the saved settings, the load error, and the last test's answer.

/** The three calls such a page makes; the stores adapt their API to these. */
export interface AdminSettingsAPI<S, U, T> {
  load(): Promise<S>;
  save(update: U): Promise<S>;
  test(to: string): Promise<T>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class AdminSettingsStore<S, U, T> {
  settings = $state.raw<S | null>(null);
  loadError = $state('');
  saving = $state(false);
  testing = $state(false);
  test = $state.raw<T | null>(null);
  testError = $state('');

  #api: AdminSettingsAPI<S, U, T>;

  constructor(api: AdminSettingsAPI<S, U, T>) {
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      this.settings = await this.#api.load();
      this.loadError = '';
    } catch (err) {
      this.loadError = message(err);
    }
  }

  /** Saves; rejects with the server's message (shown by the form). */
  async save(update: U): Promise<void> {
    this.saving = true;
    try {
      this.settings = await this.#api.save(update);
    } finally {
      this.saving = false;
    }
  }

  /** Runs the test with the saved settings. Never rejects: a failure is in `testError`. */
  async runTest(to: string): Promise<void> {
    this.testing = true;
    this.test = null;
    this.testError = '';
    try {
      this.test = await this.#api.test(to);
    } catch (err) {
      this.testError = message(err);
    } finally {
      this.testing = false;
    }
  }
}
