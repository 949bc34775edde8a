// A tiny rune-based i18n: `i18n.locale` is reactive, `t(key, params)` reads it, so every
// template that calls t() re-renders when the language changes.

import en from '../../locales/en.json';
import type { Language } from '../api/types';

export const LANGUAGES: readonly Language[] = ['fr', 'en', 'nl', 'de'];
export const DEFAULT_LANGUAGE: Language = 'en';

type Messages = typeof en;

type Join<K extends string, P extends string> = P extends '' ? K : `${K}.${P}`;
/** Every dotted path of the English messages, leaves and plural groups alike. */
type Paths<T> = {
  [K in keyof T & string]: T[K] extends string ? K : K | Join<K, Paths<T[K]>>;
}[keyof T & string];
export type MessageKey = Paths<Messages>;
export type Params = Record<string, string | number>;

// Only English (the fallback and the source of the keys) is in the start-up bundle: the
// other catalogs are parsed when their language is chosen, not before every first paint.
const loaders: Record<Exclude<Language, 'en'>, () => Promise<{ default: unknown }>> = {
  fr: () => import('../../locales/fr.json'),
  nl: () => import('../../locales/nl.json'),
  de: () => import('../../locales/de.json'),
};

/** The catalogs loaded so far (English always). */
export const catalogs: Partial<Record<Language, unknown>> = { en };

/** Loads the catalog of a language, once. */
export async function loadCatalog(lang: Language): Promise<unknown> {
  if (lang !== 'en' && !catalogs[lang]) catalogs[lang] = (await loaders[lang]()).default;
  return catalogs[lang];
}

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** Maps a BCP 47 tag ("fr-BE", "de") to a supported language, or undefined. */
export function matchLanguage(tag: string | undefined | null): Language | undefined {
  if (!tag) return undefined;
  const base = tag.toLowerCase().split(/[-_]/)[0];
  return isLanguage(base) ? base : undefined;
}

/** Default language: the saved setting, else the browser's, else English. */
export function initialLanguage(saved?: string | null, nav?: readonly string[] | string): Language {
  if (isLanguage(saved)) return saved;
  const tags = typeof nav === 'string' ? [nav] : (nav ?? []);
  for (const tag of tags) {
    const lang = matchLanguage(tag);
    if (lang) return lang;
  }
  return DEFAULT_LANGUAGE;
}

function lookup(catalog: unknown, key: string): unknown {
  let node: unknown = catalog;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

// Intl objects are costly to build and t() runs for every row on screen: one per locale and
// options, built on first use.
const intlCache = new Map<string, Intl.NumberFormat | Intl.PluralRules | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.PluralRules | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let v = intlCache.get(key) as T | undefined;
  if (!v) intlCache.set(key, (v = make()));
  return v;
}
const numberFormat = (locale: string) => cached(`n|${locale}`, () => new Intl.NumberFormat(locale));
const pluralRules = (locale: string) => cached(`p|${locale}`, () => new Intl.PluralRules(locale));
const dateFormat = (locale: string, opts: Intl.DateTimeFormatOptions) =>
  cached(`d|${locale}|${JSON.stringify(opts)}`, () => new Intl.DateTimeFormat(locale, opts));

function interpolate(text: string, params: Params | undefined, locale: string): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? numberFormat(locale).format(v) : v;
  });
}

/** Flattened list of leaf keys, e.g. ["app.name", "header.waiting.one", ...]. */
export function flattenKeys(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object') return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    flattenKeys(v, prefix ? `${prefix}.${k}` : k),
  );
}

function navigatorLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

class I18n {
  /** The language on screen; main.ts asks for the browser's before the first paint. */
  locale = $state<Language>(DEFAULT_LANGUAGE);
  #wanted: Language = DEFAULT_LANGUAGE;

  /**
   * Switches to `lang` (else the browser's language, else English) as soon as its catalog is
   * loaded, so that the screen never mixes languages; at once when it is loaded already.
   * Resolves when the switch is done, or overtaken by a later one.
   */
  setLocale(lang: string | undefined | null): Promise<void> {
    const next = initialLanguage(lang, navigatorLanguages());
    this.#wanted = next;
    if (catalogs[next]) {
      this.locale = next;
      return Promise.resolve();
    }
    return loadCatalog(next).then(
      () => {
        if (this.#wanted === next) this.locale = next;
      },
      (err: unknown) => console.error(`i18n: cannot load ${next}`, err), // stays in the current language
    );
  }

  /** Translates `key`; a `count` param selects the plural form (key.one / key.other). */
  t = (key: MessageKey, params?: Params): string => {
    const locale = this.locale;
    const resolve = (catalog: unknown): string | undefined => {
      let node = lookup(catalog, key);
      if (node !== null && typeof node === 'object') {
        const count = typeof params?.count === 'number' ? params.count : 0;
        const form = pluralRules(locale).select(count);
        const rec = node as Record<string, unknown>;
        node = rec[form] ?? rec.other;
      }
      return typeof node === 'string' ? node : undefined;
    };
    const text = resolve(catalogs[locale]) ?? resolve(catalogs.en) ?? key;
    return interpolate(text, params, locale);
  };

  /** Time of day, e.g. "14:03:12", in the active locale. */
  time = (d: Date | string, withSeconds = true): string => {
    const date = typeof d === 'string' ? new Date(d) : d;
    if (Number.isNaN(date.getTime())) return '';
    return dateFormat(this.locale, {
      hour: '2-digit',
      minute: '2-digit',
      second: withSeconds ? '2-digit' : undefined,
    }).format(date);
  };

  /** A date formatted with these Intl options in the active locale (calendar headings). */
  date = (d: Date | string, opts: Intl.DateTimeFormatOptions): string => {
    const date = typeof d === 'string' ? new Date(d) : d;
    if (Number.isNaN(date.getTime())) return '';
    return dateFormat(this.locale, opts).format(date);
  };

  /** A span of dates, e.g. "23–29 Nov 2026", in the active locale. */
  dateRange = (from: Date, to: Date, opts: Intl.DateTimeFormatOptions): string => {
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return '';
    return dateFormat(this.locale, opts).formatRange(from, to);
  };

  /** Date and time, e.g. "25/11/2025 14:03", in the active locale. */
  dateTime = (d: Date | string): string => {
    const date = typeof d === 'string' ? new Date(d) : d;
    if (Number.isNaN(date.getTime())) return '';
    return dateFormat(this.locale, { dateStyle: 'short', timeStyle: 'short' }).format(date);
  };
}

export const i18n = new I18n();
export const t = i18n.t;
