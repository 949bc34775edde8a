import { beforeAll, describe, expect, it } from 'vitest';
import type { Contact } from '../../api/types';
import { catalogs, LANGUAGES, loadCatalog, type MessageKey, type Params } from '../../i18n/index.svelte';
import { mailtoHref } from './mailto';

beforeAll(() => Promise.all(LANGUAGES.map(loadCatalog)));

function translator(lang: 'en' | 'fr' | 'nl' | 'de') {
  return (key: MessageKey, params?: Params) => {
    let node: unknown = catalogs[lang];
    for (const part of key.split('.')) node = (node as Record<string, unknown>)[part];
    return String(node).replace(/\{(\w+)\}/g, (_, k: string) => String(params?.[k] ?? ''));
  };
}
const time = () => '14:03';

const helene: Contact = {
  id: 'c1',
  firstName: 'Hélène',
  lastName: 'Dubois',
  displayName: 'Hélène Dubois',
  emails: ['helene.dubois@example.com'],
  phones: [],
  custom: {},
  visibility: 'public',
  source: 'local',
} as unknown as Contact;

function parse(href: string) {
  const [addr, query] = href.slice('mailto:'.length).split('?');
  const q = new URLSearchParams(query.replace(/\+/g, '%2B'));
  return { to: decodeURIComponent(addr), subject: q.get('subject') ?? '', body: q.get('body') ?? '' };
}

describe('mailtoHref (W12)', () => {
  const call = { callerName: 'Jean Martin', callerNumber: '+33 6 11 22 33 44', note: 'Rappeler avant 17h & merci', time: '2026-11-25T13:03:00Z' };

  it('addresses the contact and fills caller, number, note and time', () => {
    const m = parse(mailtoHref(helene, call, translator('en'), time));
    expect(m.to).toBe('helene.dubois@example.com');
    expect(m.subject).toContain('Jean Martin');
    expect(m.body).toContain('Hélène Dubois');
    expect(m.body).toContain('+33 6 11 22 33 44');
    expect(m.body).toContain('14:03');
    expect(m.body).toContain('Rappeler avant 17h & merci');
    expect(m.body).toContain('\r\n'); // line breaks as mail programs expect
  });

  it('keeps special characters intact through the URI', () => {
    const href = mailtoHref(helene, { ...call, note: 'a&b=c?d#e' }, translator('en'), time);
    expect(href).not.toMatch(/[ #]/);
    expect(parse(href).body).toContain('a&b=c?d#e');
  });

  it('is localized', () => {
    const fr = parse(mailtoHref(helene, call, translator('fr'), time));
    const de = parse(mailtoHref(helene, call, translator('de'), time));
    const nl = parse(mailtoHref(helene, call, translator('nl'), time));
    const en = parse(mailtoHref(helene, call, translator('en'), time));
    expect(new Set([fr.subject, de.subject, nl.subject, en.subject]).size).toBe(4);
  });

  it('leaves the note line out without a note, and the call out without a call', () => {
    const en = translator('en');
    const noNote = parse(mailtoHref(helene, { ...call, note: '  ' }, en, time));
    expect(noNote.body).not.toContain(en('mail.note', { note: '' }).trim());
    const none = parse(mailtoHref(helene, null, en, time));
    expect(none.subject).toBe('');
    expect(none.body).toContain('Hélène Dubois');
  });

  it('gives nothing for a contact without e-mail', () => {
    expect(mailtoHref({ ...helene, emails: [] }, call, translator('en'), time)).toBe('');
  });
});
