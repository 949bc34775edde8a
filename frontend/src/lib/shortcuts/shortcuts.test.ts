import { describe, expect, it, vi } from 'vitest';
import type { Settings } from '../api/types';
import { i18n } from '../i18n/index.svelte';
import { SettingsStore } from '../stores/settings.svelte';
import { ShortcutStore } from '../stores/shortcuts.svelte';
import { comboOf, displayCombo, normalizeCombo, reservedReason, worksWhileTyping } from './keys';
import {
  ACTIONS,
  buildKeymap,
  conflicts,
  resolveBindings,
  sanitizeOverrides,
  withDefault,
  withKeys,
} from './registry';

function key(k: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) {
  return { key: k, ...mods };
}

describe('key combos', () => {
  it('canonicalizes a keydown', () => {
    expect(comboOf(key('F6'))).toBe('F6');
    expect(comboOf(key('a', { ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+A');
    expect(comboOf(key('Enter', { ctrlKey: true }))).toBe('Ctrl+Enter');
    // "?" needs Shift on some layouts and not on others: Shift is not part of it.
    expect(comboOf(key('?', { shiftKey: true }))).toBe('?');
    expect(comboOf(key(' '))).toBe('Space');
    expect(comboOf(key('Shift', { shiftKey: true }))).toBe('');
  });

  it('normalizes typed or stored combos, and refuses junk', () => {
    expect(normalizeCombo('ctrl+shift+a')).toBe('Ctrl+Shift+A');
    expect(normalizeCombo('Alt+1')).toBe('Alt+1');
    expect(normalizeCombo('Ctrl++')).toBe('Ctrl++');
    expect(normalizeCombo('Esc')).toBe('Escape');
    expect(normalizeCombo('Hyper+X')).toBe('');
    expect(normalizeCombo('')).toBe('');
  });

  it('tells which keys work in a text field and which typing needs', () => {
    expect(worksWhileTyping('F2')).toBe(true);
    expect(worksWhileTyping('Alt+P')).toBe(true);
    expect(worksWhileTyping('?')).toBe(false);
    expect(reservedReason('A')).toBe('typing');
    expect(reservedReason('Shift+7')).toBe('typing');
    expect(reservedReason('ArrowDown')).toBe('navigation');
    expect(reservedReason('Ctrl+A')).toBeNull();
    expect(reservedReason('F6')).toBeNull();
  });

  it('shows combos with localized key names', () => {
    expect(displayCombo('Ctrl+Enter', { Ctrl: 'Strg', Enter: 'Eingabe' })).toBe('Strg+Eingabe');
    expect(displayCombo('Alt+ArrowRight')).toBe('Alt+→');
    expect(displayCombo('Ctrl++')).toBe('Ctrl++');
  });
});

describe('registry', () => {
  it('has no conflict and no reserved key among the defaults', () => {
    const b = resolveBindings({});
    expect(conflicts(b)).toEqual([]);
    for (const a of ACTIONS) {
      for (const k of a.keys) {
        expect(normalizeCombo(k), `${a.id}: ${k}`).toBe(k);
        expect(reservedReason(k), `${a.id}: ${k}`).toBeNull();
      }
    }
  });

  it('maps keys to actions, with overrides replacing defaults', () => {
    const map = buildKeymap(resolveBindings({ hold: ['Alt+H'] }));
    expect(map.get('Alt+H')).toBe('hold');
    expect(map.get('F6')).toBeUndefined();
    expect(map.get('F1')).toBe('help');
    expect(map.get('?')).toBe('help');
  });

  it('finds conflicts an old settings document may hold', () => {
    const b = resolveBindings({ mute: ['F6'] });
    expect(conflicts(b)).toEqual([{ combo: 'F6', actions: ['hold', 'mute'] }]);
    // The earlier action keeps the key, so behaviour stays predictable.
    expect(buildKeymap(b).get('F6')).toBe('hold');
  });

  it('stores only differences from the defaults', () => {
    let o = withKeys({}, 'hold', ['alt+h']);
    expect(o).toEqual({ hold: ['Alt+H'] });
    o = withKeys(o, 'hold', ['F6']);
    expect(o).toEqual({});
    expect(withKeys({}, 'park', [])).toEqual({ park: [] });
    expect(withDefault({ hold: ['Alt+H'], park: [] }, 'park')).toEqual({ hold: ['Alt+H'] });
    expect(withDefault({ hold: ['Alt+H'] })).toEqual({});
  });

  it('sanitizes whatever the settings document holds', () => {
    expect(
      sanitizeOverrides({ hold: ['alt+h', 'Alt+H', 'Q'], bogus: ['F2'], mute: 'F7', answer: ['F2'] }),
    ).toEqual({ hold: ['Alt+H'] });
    expect(sanitizeOverrides(null)).toEqual({});
  });
});

function setup(initial: Partial<Settings> = {}) {
  const saved: Settings[] = [];
  const api = {
    get: vi.fn(async () => initial as Settings),
    save: vi.fn(async (s: Settings) => {
      saved.push(structuredClone(s));
      return null;
    }),
  };
  const settings = new SettingsStore({ api });
  return { settings, store: new ShortcutStore(settings), saved, api };
}

describe('ShortcutStore', () => {
  it('remaps, refuses a conflict, and persists in the user settings', async () => {
    const { settings, store, saved } = setup();
    await settings.load();
    expect(store.actionFor('F6')).toBe('hold');

    expect(store.setKeys('mute', ['F6'])).toBe('hold'); // conflict: nothing changes
    expect(store.keys('mute')).toEqual(['F7']);

    expect(store.setKeys('hold', ['Alt+H'])).toBeNull();
    await settings.save();
    expect(store.actionFor('Alt+H')).toBe('hold');
    expect(store.actionFor('F6')).toBeUndefined();
    expect(store.isCustom('hold')).toBe(true);
    expect(saved.at(-1)?.shortcuts).toEqual({ hold: ['Alt+H'] });

    // The next login reads them back from the switchboard.
    const again = setup(saved.at(-1)!);
    await again.settings.load();
    expect(again.store.actionFor('Alt+H')).toBe('hold');
    expect(again.store.tip('Put the caller on hold', 'hold')).toBe('Put the caller on hold (Alt+H)');

    await store.reset('hold');
    expect(store.actionFor('F6')).toBe('hold');
    expect(saved.at(-1)?.shortcuts).toEqual({});
  });

  it('keeps the Enter-on-a-contact choice', async () => {
    const { settings, store, saved } = setup({ enterAction: 'transfer' });
    await settings.load();
    expect(store.enterAction).toBe('transfer');
    await store.setEnterAction('call');
    expect(saved.at(-1)?.enterAction).toBe('call');
  });

  it('shows keys in the chosen language', async () => {
    const { settings, store } = setup({ language: 'de' });
    await settings.load();
    expect(store.label('call')).toBe('Strg+Eingabe');
    i18n.setLocale('en');
    expect(store.label('call')).toBe('Ctrl+Enter');
  });

  it('leaves bare keys to text fields, dialogs and handlers that took them', async () => {
    const { settings, store } = setup();
    await settings.load();
    const input = document.createElement('input');
    document.body.append(input);
    const press = (target: EventTarget, init: KeyboardEventInit) => {
      let got: string | undefined;
      target.addEventListener('keydown', (e) => (got = store.match(e as KeyboardEvent)), { once: true });
      target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
      return got;
    };
    expect(press(document.body, { key: '?' })).toBe('help');
    expect(press(input, { key: '?' })).toBeUndefined(); // typed into the field
    expect(press(input, { key: 'F6' })).toBe('hold'); // function keys work while typing
    expect(press(input, { key: 'Escape' })).toBe('focusSearch');
    expect(press(input, { key: 'F6', repeat: true })).toBeUndefined(); // a held key acts once

    const dialog = document.createElement('dialog');
    dialog.setAttribute('open', '');
    document.body.append(dialog);
    expect(press(document.body, { key: 'F6' })).toBeUndefined(); // the dialog owns the keyboard
    dialog.remove();
    input.remove();
  });
});

describe('moveBetweenRows', () => {
  it('moves ↑/↓ to the same button of the next row, Home/End to the ends, not out of a field', async () => {
    const { moveBetweenRows } = await import('./rows');
    const table = document.createElement('table');
    table.innerHTML = [1, 2, 3]
      .map((i) => `<tr data-row="${i}"><td><button class="a">a${i}</button><button class="b">b${i}</button><input></td></tr>`)
      .join('');
    document.body.append(table);
    table.addEventListener('keydown', (e) => moveBetweenRows(e, 'tr[data-row]'));
    const press = (el: Element, key: string) =>
      el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    const b1 = table.querySelector<HTMLButtonElement>('tr[data-row="1"] .b')!;
    b1.focus();
    press(b1, 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('b2');
    press(document.activeElement!, 'End');
    expect(document.activeElement?.textContent).toBe('b3');
    press(document.activeElement!, 'ArrowDown'); // the last row: stays
    expect(document.activeElement?.textContent).toBe('b3');
    press(document.activeElement!, 'Home');
    expect(document.activeElement?.textContent).toBe('b1');
    const input = table.querySelector('input')!;
    input.focus();
    press(input, 'ArrowDown'); // the caret's, not ours
    expect(document.activeElement).toBe(input);
    table.remove();
  });
});
