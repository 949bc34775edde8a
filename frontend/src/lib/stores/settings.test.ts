import { describe, expect, it, vi } from 'vitest';
import type { Settings } from '../api/types';
import { i18n } from '../i18n/index.svelte';
import { PANEL_IDS, sanitizeSettings, SettingsStore } from './settings.svelte';

function setup(initial: Partial<Settings>) {
  let saved: Settings | null = null;
  let release: (() => void) | null = null;
  const api = {
    get: vi.fn(async () => initial as Settings),
    save: vi.fn(async (s: Settings) => {
      saved = s;
      await new Promise<void>((r) => (release = r));
      return null;
    }),
  };
  const store = new SettingsStore({ api });
  return { store, api, saved: () => saved, release: () => release?.() };
}

describe('sanitizeSettings', () => {
  it('keeps known panels once, in order, and appends missing ones', () => {
    const s = sanitizeSettings({
      language: 'de',
      theme: 'dark',
      panelOrder: ['contacts', 'bogus', 'queue', 'contacts'],
      collapsed: ['details', 'nope'],
      sizes: { queue: 40, bad: Number.NaN, huge: 400 },
    });
    expect(s.panelOrder).toEqual(['contacts', 'queue', 'workspace', 'overview', 'favorites', 'details']);
    expect(s.collapsed).toEqual(['details']);
    expect(s.sizes).toEqual({ queue: 40 });
    expect(s.language).toBe('de');
    expect(s.theme).toBe('dark');
  });

  it('fills defaults for an empty or null value', () => {
    const s = sanitizeSettings(null);
    expect(s.panelOrder).toEqual([...PANEL_IDS]);
    expect(s.theme).toBe('system');
    expect(['en', 'fr', 'nl', 'de']).toContain(s.language);
  });
});

describe('SettingsStore', () => {
  it('loads, applies the language and theme, and lays out three columns', async () => {
    const { store } = setup({ language: 'nl', theme: 'dark', panelOrder: [], collapsed: [], sizes: {} });
    await store.load();
    expect(i18n.locale).toBe('nl');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(document.documentElement.lang).toBe('nl');
    expect(store.columns).toEqual([
      ['queue', 'workspace'],
      ['overview', 'favorites'],
      ['contacts', 'details'],
    ]);
    expect(store.widths.reduce((a, b) => a + b, 0)).toBeCloseTo(100);
    i18n.setLocale('en');
  });

  it('moves panels, toggles collapse and saves the latest value, one save at a time', async () => {
    const { store, api, saved, release } = setup({ language: 'en', theme: 'light' });
    await store.load();
    const first = store.movePanel('workspace', -1);
    void store.toggleCollapsed('details'); // coalesced: the save has not started yet
    expect(store.value.panelOrder.slice(0, 2)).toEqual(['workspace', 'queue']);
    await vi.waitFor(() => expect(api.save).toHaveBeenCalledTimes(1));
    expect(saved()?.collapsed).toEqual(['details']);
    expect(saved()?.panelOrder.slice(0, 2)).toEqual(['workspace', 'queue']);

    // A change while that save is in flight waits for it, then saves again.
    const second = store.setSizes({ queue: 49.6, workspace: 30.2 }, true);
    expect(api.save).toHaveBeenCalledTimes(1);
    release();
    await first;
    await vi.waitFor(() => expect(api.save).toHaveBeenCalledTimes(2));
    expect(saved()?.sizes).toEqual({ queue: 50, workspace: 30 }); // whole percents for Go's map[string]int
    release();
    await second;
    expect(store.isCollapsed('details')).toBe(true);
  });
});
