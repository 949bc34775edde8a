// Small pure helpers shared by the contacts components.

import type { Contact, Phone, PhoneType } from '../../api/types';

/** The numbers a receptionist dials most come first. */
const PHONE_RANK: Record<PhoneType, number> = { extension: 0, work: 1, mobile: 2, other: 3, home: 4 };

/** The first `max` numbers of a contact, extension and work numbers first (stable otherwise). */
export function primaryPhones(c: Contact, max = 2): Phone[] {
  return (c.phones ?? [])
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (PHONE_RANK[a.p.type] ?? 9) - (PHONE_RANK[b.p.type] ?? 9) || a.i - b.i)
    .slice(0, max)
    .map(({ p }) => p);
}

/** "Job title · Department", whichever is known. */
export function roleLine(c: Contact): string {
  return [c.jobTitle, c.department].filter((s) => s && s.trim()).join(' · ');
}

/** Two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : parts[0].slice(0, 2);
  return letters.toUpperCase();
}

/** Only images over http(s) or inline data:image/ are ever put in an <img src>. */
export function safeImageUri(uri: string | undefined): string {
  const u = (uri ?? '').trim();
  return /^(https?:\/\/|data:image\/)/i.test(u) ? u : '';
}

/** Where a server validation error points in the contact form. */
export interface FieldError {
  /** Form field: firstName, displayName, …, phones, emails, visibility; or "" when unknown. */
  field: string;
  /** Row of a phone or e-mail, when the error names one. */
  index?: number;
  /** What is wrong, as the server says it. */
  reason: string;
}

const FIELD_RE =
  /(?:^|:\s*)(firstName|lastName|displayName|department|jobTitle|responsibilities|location|imageUri|manager|absenceMessage|visibility|phones|emails|custom)(?:\[(\d+)\])?(?:\.(?:number|type))?\s*:\s*(.+)$/;

/**
 * Maps a thrown server message ("directory: invalid contact: phones[1].number: \"x\" is not a
 * phone number", or just "displayName: longer than 200 characters") to a form field.
 */
export function fieldError(message: string): FieldError | null {
  const m = FIELD_RE.exec(message);
  if (!m) return null;
  return { field: m[1], index: m[2] !== undefined ? Number(m[2]) : undefined, reason: m[3].trim() };
}

/** Loose client-side checks; the server has the last word. */
export function looksLikePhone(n: string): boolean {
  const s = n.trim();
  return /\d/.test(s) && /^[\d\s+()*#./-]+$/.test(s);
}

export function looksLikeEmail(e: string): boolean {
  return /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/.test(e.trim());
}
