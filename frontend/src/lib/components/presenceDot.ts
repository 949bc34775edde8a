// What a presence dot shows (C3, F1, D1, D3), shared by the Presence component and the plain
// markup of the contact rows (a list of rows renders the dot without a component per row).
// The look is global (app.css, `.presence-dot`).

import type { ContactPresence, PresenceState } from '../api/presence';
import { i18n, t } from '../i18n/index.svelte';

/** Relative time, e.g. "5 minutes ago", in the active locale. */
export function ago(iso: string | undefined, now: number, locale: string): string {
  const then = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(then)) return '';
  const s = Math.round((then - now) / 1000); // negative: in the past
  const fmt = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(s);
  if (abs < 60) return fmt.format(s, 'second');
  if (abs < 3600) return fmt.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return fmt.format(Math.round(s / 3600), 'hour');
  return fmt.format(Math.round(s / 86400), 'day');
}

/** A glyph on every state, so presence is never told by colour alone (SVG path, 12×12 box). */
export const PRESENCE_GLYPH: Record<PresenceState, string> = {
  available: 'M3.6 6.2l1.6 1.6 3.2-3.4',
  ringing: 'M3.8 6h.01 M6 6h.01 M8.2 6h.01',
  busy: 'M3.6 6h4.8',
  away: 'M6 3.4V6l1.8 1.2',
  offline: 'M4.3 4.3l3.4 3.4 M7.7 4.3l-3.4 3.4',
  unknown: '',
};

export interface PresenceView {
  state: PresenceState;
  stale: boolean;
  /** "Away: back at 2 pm", "Last known: On a call, 5 minutes ago". */
  label: string;
}

/**
 * The dot of a known (or not yet known) presence. `now` is only called for a stale presence,
 * so a row reads the ticking clock only while it shows a "… ago".
 */
export function presenceView(p: ContactPresence | undefined, now: () => number, locale: string): PresenceView {
  const state: PresenceState = p?.state ?? 'unknown';
  const stale = Boolean(p?.stale) && state !== 'unknown';
  let label = t(`presence.${state}`);
  if (p?.source === 'calendar' && state !== 'unknown') label = calendarLabel(p);
  else if (p?.message) label = t('presence.withMessage', { state: label, message: p.message });
  if (stale) label = t('presence.stale', { state: label, ago: ago(p?.updated, now(), locale) });
  return { state, stale, label };
}

/**
 * "In a meeting until 14:30: Budget review", "Out of office until 27/11/2026 18:00" (D3, from
 * the calendar: the switchboard reports a busy or out-of-office appointment under way); with
 * the date when it ends another day.
 */
function calendarLabel(p: ContactPresence): string {
  const until = p.until ? new Date(p.until) : null;
  let time = '';
  if (until && !Number.isNaN(until.getTime())) {
    time = until.toDateString() === new Date().toDateString() ? i18n.time(until, false) : i18n.dateTime(until);
  }
  const oof = p.activity === 'oof';
  const label = time
    ? t(oof ? 'presence.oofUntil' : 'presence.meetingUntil', { time })
    : t(oof ? 'presence.oof' : 'presence.meeting');
  return p.message ? t('presence.withSummary', { state: label, summary: p.message }) : label;
}
