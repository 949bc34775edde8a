// "E-mail" of a contact (W12), for the More menu and the details panel.
import type { Contact } from '../../api/types';
import { i18n, t } from '../../i18n/index.svelte';
import { currentMailCall } from '../../stores/mail.svelte';
import { mailtoHref, openMailto } from './mailto';

/** True when the contact has an address to write to. */
export function canEmail(c: Contact | null | undefined): boolean {
  return !!c?.emails?.some((e) => e && e.trim());
}

/** Opens a new message to the contact about the current (or last) call. */
export function emailContact(c: Contact) {
  const href = mailtoHref(c, currentMailCall(), t, (d) => i18n.dateTime(d));
  if (href) openMailto(href);
}
