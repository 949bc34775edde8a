import { describe, expect, it } from 'vitest';
import en from '../../locales/en.json';
import { flattenKeys, i18n, initialLanguage, LANGUAGES, loadCatalog, matchLanguage, t } from './index.svelte';

const enKeys = flattenKeys(en).sort();

describe('locales', () => {
  for (const lang of LANGUAGES) {
    it(`${lang}.json has exactly the keys of en.json`, async () => {
      const keys = flattenKeys(await loadCatalog(lang)).sort();
      expect(keys.filter((k) => !enKeys.includes(k))).toEqual([]); // extra
      expect(enKeys.filter((k) => !keys.includes(k))).toEqual([]); // missing
    });
    it(`${lang}.json has no empty strings and keeps every placeholder`, async () => {
      const catalog = await loadCatalog(lang);
      for (const key of enKeys) {
        const value = key.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], catalog);
        expect(typeof value, key).toBe('string');
        expect((value as string).trim(), key).not.toBe('');
        const enValue = key.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], en);
        const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(ph(value as string), key).toEqual(ph(enValue as string));
      }
    });
  }
});

describe('t()', () => {
  it('translates, interpolates and switches live', async () => {
    i18n.setLocale('en');
    expect(t('panel.queue')).toBe('Calls in queue');
    expect(t('queue.offeredTo', { name: 'Marc' })).toBe('Offered to Marc');
    await i18n.setLocale('fr');
    expect(t('panel.queue')).toBe("Conversations en file d'attente");
    expect(t('header.logout')).toBe('Se déconnecter');
    i18n.setLocale('en');
  });

  it('selects plural forms from count', async () => {
    i18n.setLocale('en');
    expect(t('queue.calls', { count: 1 })).toBe('1 call');
    expect(t('queue.calls', { count: 3 })).toBe('3 calls');
    await i18n.setLocale('de');
    expect(t('header.waiting', { count: 1 })).toBe('1 wartet');
    expect(t('header.waiting', { count: 2 })).toBe('2 warten');
    await i18n.setLocale('fr');
    expect(t('queue.calls', { count: 0 })).toBe('0 appel');
    i18n.setLocale('en');
  });
});

describe('language choice', () => {
  it('prefers the setting, then the browser, then English', () => {
    expect(initialLanguage('nl', ['fr-BE'])).toBe('nl');
    expect(initialLanguage('', ['it-IT', 'fr-BE', 'en'])).toBe('fr');
    expect(initialLanguage(undefined, 'de-AT')).toBe('de');
    expect(initialLanguage('xx', ['it'])).toBe('en');
    expect(matchLanguage('NL_be')).toBe('nl');
  });
});
