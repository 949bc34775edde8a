// W12: "E-mail" opens a new message in the default mail program (mailto:) to a contact, with a
// template filled in from the current (or last) call: caller, number, note and time.

import type { Contact } from '../../api/types';
import type { MessageKey, Params } from '../../i18n/index.svelte';

/** The call the message is about. */
export interface MailCall {
  callerName: string;
  callerNumber: string;
  note: string;
  /** When the call came in (RFC 3339 or Date). */
  time: string | Date;
}

export type Translate = (key: MessageKey, params?: Params) => string;
export type FormatTime = (d: Date | string) => string;

/**
 * Builds the mailto: URI. The body goes through encodeURIComponent (RFC 6068): spaces are %20
 * and line breaks %0D%0A, which every mail program reads alike. Without a call, the message
 * only greets the contact. Returns "" when the contact has no e-mail address.
 */
export function mailtoHref(contact: Contact, call: MailCall | null, t: Translate, time: FormatTime): string {
  const to = (contact.emails ?? []).find((e) => e && e.trim());
  if (!to) return '';
  const name = contact.displayName || [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  let subject: string;
  let body: string;
  if (call) {
    const caller = call.callerName || call.callerNumber || t('queue.unknown');
    const params = { name, caller, number: call.callerNumber || '—', time: time(call.time), note: call.note.trim() };
    subject = t('mail.subject', params);
    body = t('mail.body', params) + (params.note ? '\n' + t('mail.note', params) : '') + '\n\n' + t('mail.closing');
  } else {
    subject = '';
    body = t('mail.greeting', { name }) + '\n\n\n' + t('mail.closing');
  }
  const q = [subject && `subject=${encodeURIComponent(subject)}`, `body=${encodeURIComponent(body.replace(/\r?\n/g, '\r\n'))}`]
    .filter(Boolean)
    .join('&');
  // The address is encoded except for "@", which mailto keeps readable (RFC 6068 §2).
  return `mailto:${encodeURIComponent(to.trim()).replace(/%40/g, '@')}?${q}`;
}

/**
 * Hands a mailto: URI to the default mail program: through Wails' BrowserOpenURL in the desktop
 * app (its webview opens no mailto: itself), else through a link click, which leaves the page.
 */
export function openMailto(href: string, win: Window = window) {
  const rt = (win as unknown as { runtime?: { BrowserOpenURL?: (url: string) => void } }).runtime;
  if (rt?.BrowserOpenURL) {
    rt.BrowserOpenURL(href);
    return;
  }
  const a = win.document.createElement('a');
  a.href = href;
  a.rel = 'noopener';
  a.click();
}
