// Keyboard shortcuts (S5): the effective bindings (defaults + the user's remapping, kept in the
// per-user settings on the switchboard), tooltips that show them, and the key dispatch.

import type { EnterAction } from '../api/types';
import { t } from '../i18n/index.svelte';
import { comboOf, displayCombo, worksWhileTyping, type KeyNames } from '../shortcuts/keys';
import {
  buildKeymap,
  conflictFor,
  resolveBindings,
  sanitizeOverrides,
  withDefault,
  withKeys,
  type ActionId,
  type Bindings,
  type Overrides,
} from '../shortcuts/registry';
import { settingsStore, type SettingsStore } from './settings.svelte';

/** True when keys typed in el go into text (so bare keys like "?" must not trigger). */
export function isEditable(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image'].includes(el.type);
  }
  return false;
}

/** Something that owns the keyboard for now: a modal dialog or an open menu. */
function keyboardOwned(): boolean {
  return document.querySelector('dialog[open], [role="menu"]') !== null;
}

export class ShortcutStore {
  /** The help overlay listing every shortcut. */
  helpOpen = $state(false);

  #settings: Pick<SettingsStore, 'value' | 'update'>;

  constructor(settings: Pick<SettingsStore, 'value' | 'update'> = settingsStore) {
    this.#settings = settings;
  }

  overrides = $derived.by((): Overrides => sanitizeOverrides(this.#settings.value.shortcuts));
  bindings = $derived.by((): Bindings => resolveBindings(this.overrides));
  keymap = $derived.by(() => buildKeymap(this.bindings));
  enterAction = $derived.by((): EnterAction => (this.#settings.value.enterAction === 'transfer' ? 'transfer' : 'call'));

  keys(action: ActionId): readonly string[] {
    return this.bindings[action];
  }

  /** True when the action's keys differ from the defaults. */
  isCustom(action: ActionId): boolean {
    return action in this.overrides;
  }

  /** The action bound to a canonical combo, if any. */
  actionFor(combo: string): ActionId | undefined {
    return this.keymap.get(combo);
  }

  /** The first key of an action as shown to the user ("F6", "Strg+Eingabe"), or "". */
  label(action: ActionId): string {
    return this.display(this.bindings[action][0] ?? '');
  }

  display(combo: string): string {
    const names: Partial<KeyNames> = {
      Ctrl: t('shortcuts.key.ctrl'),
      Alt: t('shortcuts.key.alt'),
      Shift: t('shortcuts.key.shift'),
      Enter: t('shortcuts.key.enter'),
      Space: t('shortcuts.key.space'),
      Delete: t('shortcuts.key.delete'),
    };
    return displayCombo(combo, names);
  }

  /** A tooltip with the action's key: "Put the caller on hold (F6)". */
  tip(text: string, action: ActionId): string {
    const key = this.label(action);
    return key ? `${text} (${key})` : text;
  }

  /** The action other than `action` already using `combo`, or null. */
  conflict(action: ActionId, combo: string): ActionId | null {
    return conflictFor(this.bindings, action, combo);
  }

  /** Gives an action these keys and saves; refuses (returns the other action) on a conflict. */
  setKeys(action: ActionId, keys: readonly string[]): ActionId | null {
    for (const k of keys) {
      const other = this.conflict(action, k);
      if (other) return other;
    }
    void this.#save(withKeys(this.overrides, action, keys));
    return null;
  }

  /** Back to the default keys of one action, or of all. */
  reset(action?: ActionId) {
    return this.#save(withDefault(this.overrides, action));
  }

  setEnterAction(enterAction: EnterAction) {
    return this.#settings.update({ enterAction });
  }

  #save(overrides: Overrides) {
    return this.#settings.update({ shortcuts: overrides as Record<string, string[]> });
  }

  /**
   * The action a keydown asks for, or undefined when the key belongs to someone else: a
   * handler that already took it, a dialog or menu, or a text field (bare keys are typed there;
   * function keys and Ctrl/Alt combos still work, so calls are handled while searching).
   */
  match(event: KeyboardEvent): ActionId | undefined {
    if (event.defaultPrevented || event.isComposing || event.repeat) return undefined;
    const combo = comboOf(event);
    if (!combo) return undefined;
    const action = this.actionFor(combo);
    if (!action) return undefined;
    if (keyboardOwned()) return undefined;
    if (isEditable(event.target) && !worksWhileTyping(combo) && combo !== 'Escape') return undefined;
    return action;
  }
}

export const shortcuts = new ShortcutStore();
