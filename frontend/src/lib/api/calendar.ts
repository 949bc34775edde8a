// A contact's calendar (D2) and its administration (Settings → Calendar, administrators).
import { call } from './transport';

export type CalendarSource = 'caldav' | 'ics' | 'graph' | '';
export type EventStatus = 'busy' | 'tentative' | 'free' | 'oof';

/** One appointment (RFC 3339 times). A private one comes without summary nor location. */
export interface CalendarEvent {
  start: string;
  end: string;
  allDay: boolean;
  summary: string;
  location: string;
  status: EventStatus;
  private: boolean;
}

/** A contact's appointments over [from, to) as the switchboard last read them. */
export interface Schedule {
  contactId: string;
  /** False when no calendar can be read: `reason` says why. */
  configured: boolean;
  reason?: 'none' | 'noEmail';
  source: CalendarSource;
  from: string;
  to: string;
  events: CalendarEvent[] | null;
  /** When the calendar server was last read (missing before the first read). */
  fetched?: string;
  /** The server could not be read: `events` are the last known. */
  stale: boolean;
  error: string;
}

export type CalendarKind = 'none' | 'caldav' | 'ics' | 'graph';

/** The calendar connection as the switchboard shows it: never the password. */
export interface CalendarSettings {
  kind: CalendarKind;
  /** URL template: {email} and {user} are replaced per contact. */
  url: string;
  username: string;
  passwordSet: boolean;
  tenant: string;
  clientId: string;
  graphUrl: string;
  tokenUrl: string;
}

/** What is saved; an empty or missing `password` keeps the stored one. */
export interface CalendarSettingsUpdate extends Omit<CalendarSettings, 'passwordSet'> {
  password?: string;
}

export interface CalendarTest {
  ok: boolean;
  events: number;
  error: string;
}

/** Longest range one request may ask for, in days. */
export const MAX_RANGE_DAYS = 14;

export const CalendarAPI = {
  get: (contactId: string, from: string, to: string) =>
    call<Schedule>('Directory', 'Calendar', contactId, from, to),
  settings: () => call<CalendarSettings>('Directory', 'CalendarSettings'),
  save: (s: CalendarSettingsUpdate) => call<CalendarSettings>('Directory', 'SaveCalendarSettings', s),
  test: (email: string) => call<CalendarTest>('Directory', 'TestCalendar', email),
};
export type CalendarAPI = typeof CalendarAPI;
