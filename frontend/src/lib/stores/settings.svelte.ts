// Per-user settings (Settings.Get / Settings.Save): language, theme and the panel layout.
// Applying a setting is immediate (language switches live, theme flips at once); saving runs
// in the background, one Save at a time, always with the latest value.

import { SettingsAPI } from '../api/settings';
import type { Language, PanelId, Settings, Theme } from '../api/types';
import { i18n, initialLanguage, isLanguage } from '../i18n/index.svelte';
import { sanitizeOverrides } from '../shortcuts/registry';

export const PANEL_IDS: readonly PanelId[] = [
  'queue',
  'workspace',
  'overview',
  'favorites',
  'contacts',
  'details',
];
export const COLUMNS = 3;
export const THEMES: readonly Theme[] = ['light', 'dark', 'system'];

/**
 * Sizes in percent, keyed by panel id. The panel at the top of a column carries the column's
 * width; the panel at the bottom of a column carries its share of the column's height.
 */
export const DEFAULT_SIZES: Readonly<Record<PanelId, number>> = {
  queue: 47,
  workspace: 42,
  overview: 24,
  favorites: 50,
  contacts: 29,
  details: 50,
};
export const MIN_WIDTH = 15;
export const MIN_HEIGHT = 15;

export function isPanelId(v: unknown): v is PanelId {
  return typeof v === 'string' && (PANEL_IDS as readonly string[]).includes(v);
}

function navLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

export function defaultSettings(language?: Language): Settings {
  return {
    language: language ?? initialLanguage(undefined, navLanguages()),
    theme: 'system',
    panelOrder: [...PANEL_IDS],
    collapsed: [],
    sizes: {},
    shortcuts: {},
    enterAction: 'call',
  };
}

/** Makes whatever the backend returned safe to render: known ids only, every panel once. */
export function sanitizeSettings(raw: Partial<Settings> | null | undefined): Settings {
  const s = raw ?? {};
  const order: PanelId[] = [];
  for (const id of s.panelOrder ?? []) if (isPanelId(id) && !order.includes(id)) order.push(id);
  for (const id of PANEL_IDS) if (!order.includes(id)) order.push(id);
  const sizes: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.sizes ?? {})) {
    if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 100) sizes[k] = v;
  }
  return {
    language: initialLanguage(s.language, navLanguages()),
    theme: THEMES.includes(s.theme as Theme) ? (s.theme as Theme) : 'system',
    panelOrder: order,
    collapsed: [...new Set((s.collapsed ?? []).filter(isPanelId))],
    sizes,
    shortcuts: sanitizeOverrides(s.shortcuts),
    enterAction: s.enterAction === 'transfer' ? 'transfer' : 'call',
  };
}

export interface SettingsStoreDeps {
  api: Pick<SettingsAPI, 'get' | 'save'>;
  onSaveError?: (err: unknown) => void;
}

export class SettingsStore {
  value = $state<Settings>(defaultSettings());
  loaded = $state(false);

  /** Panel ids per column, top then bottom. */
  columns = $derived.by((): PanelId[][] => {
    const order = this.value.panelOrder as PanelId[];
    const cols: PanelId[][] = [];
    for (let i = 0; i < COLUMNS; i++) cols.push(order.slice(i * 2, i * 2 + 2));
    return cols;
  });

  /** Column widths in percent, summing to 100. */
  widths = $derived.by((): number[] => {
    const raw = this.columns.map((col) => {
      const v = this.value.sizes[col[0]] ?? DEFAULT_SIZES[col[0]];
      return Math.max(MIN_WIDTH, v);
    });
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => (w / sum) * 100);
  });

  #deps: SettingsStoreDeps;
  #saving: Promise<void> = Promise.resolve();
  #pending = false;
  #media: MediaQueryList | null = null;
  #mediaListener = () => this.applyTheme();

  constructor(deps: Partial<SettingsStoreDeps> = {}) {
    this.#deps = { api: deps.api ?? SettingsAPI, onSaveError: deps.onSaveError };
  }

  set onSaveError(fn: (err: unknown) => void) {
    this.#deps.onSaveError = fn;
  }

  /** Loads the settings and the catalog of their language; keeps the defaults (and rethrows
   * nothing) when unavailable. */
  async load(): Promise<boolean> {
    try {
      const raw = await this.#deps.api.get();
      this.value = sanitizeSettings(raw);
      this.loaded = true;
      return true;
    } catch {
      return false;
    } finally {
      await this.apply();
    }
  }

  /** Applies theme and language to the document; resolves once the language is on screen. */
  apply(): Promise<void> {
    this.applyTheme();
    return i18n.setLocale(this.value.language).then(() => {
      if (typeof document !== 'undefined') document.documentElement.lang = i18n.locale;
    });
  }

  applyTheme() {
    if (typeof document === 'undefined') return;
    const theme = this.value.theme;
    if (typeof matchMedia === 'function' && !this.#media) {
      this.#media = matchMedia('(prefers-color-scheme: dark)');
      this.#media.addEventListener('change', this.#mediaListener);
    }
    const dark = theme === 'dark' || (theme === 'system' && Boolean(this.#media?.matches));
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }

  /** Changes some settings, applies them and saves. */
  update(patch: Partial<Settings>, persist = true): Promise<void> {
    this.value = { ...this.value, ...patch };
    this.apply();
    return persist ? this.save() : Promise.resolve();
  }

  setLanguage(language: Language) {
    if (isLanguage(language)) return this.update({ language });
    return Promise.resolve();
  }

  setTheme(theme: Theme) {
    return this.update({ theme });
  }

  isCollapsed(id: PanelId): boolean {
    return this.value.collapsed.includes(id);
  }

  toggleCollapsed(id: PanelId) {
    const collapsed = this.isCollapsed(id)
      ? this.value.collapsed.filter((x) => x !== id)
      : [...this.value.collapsed, id];
    return this.update({ collapsed });
  }

  /** Moves a panel one place earlier (-1) or later (+1) in the order. */
  movePanel(id: PanelId, delta: -1 | 1) {
    const order = [...this.value.panelOrder];
    const i = order.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= order.length) return Promise.resolve();
    [order[i], order[j]] = [order[j], order[i]];
    return this.update({ panelOrder: order });
  }

  resetLayout() {
    return this.update({ panelOrder: [...PANEL_IDS], collapsed: [], sizes: {} });
  }

  /** Height share (percent) of the bottom panel of a column. */
  bottomShare(col: PanelId[]): number {
    const id = col[1];
    if (!id) return 0;
    const v = this.value.sizes[id] ?? DEFAULT_SIZES[id];
    return Math.min(100 - MIN_HEIGHT, Math.max(MIN_HEIGHT, v));
  }

  /** Sets layout sizes; `persist` false while dragging, true on release. */
  setSizes(sizes: Record<string, number>, persist: boolean) {
    return this.update({ sizes: { ...this.value.sizes, ...sizes } }, persist);
  }

  /** Saves the current value; saves are serialized and coalesced. */
  save(): Promise<void> {
    if (this.#pending) return this.#saving;
    this.#pending = true;
    this.#saving = this.#saving.then(async () => {
      this.#pending = false;
      try {
        const value = $state.snapshot(this.value);
        // The Go side stores whole percents (map[string]int).
        const sizes: Record<string, number> = {};
        for (const [k, v] of Object.entries(value.sizes)) sizes[k] = Math.round(v);
        await this.#deps.api.save({ ...value, sizes });
      } catch (err) {
        this.#deps.onSaveError?.(err);
      }
    });
    return this.#saving;
  }

  /** Back to defaults (logout); keeps language and theme so the login screen does not flip. */
  reset() {
    this.value = { ...defaultSettings(this.value.language as Language), theme: this.value.theme };
    this.loaded = false;
    this.apply();
  }
}

export const settingsStore = new SettingsStore();
