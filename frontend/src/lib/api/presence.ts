import { call } from './transport';

/** What a person's phone or status says (D3). */
export type PresenceState = 'available' | 'ringing' | 'busy' | 'away' | 'offline' | 'unknown';

/** Merged presence of a contact, as GET /presence and `presence:changed` events carry it. */
export interface ContactPresence {
  id: string;
  state: PresenceState;
  /** When a source last confirmed `state` (RFC 3339); with `stale`, "last known at". */
  updated?: string;
  /** Every source went silent past its expiry: `state` is the last known. */
  stale?: boolean;
  source?: 'blf' | 'attendant' | 'call' | 'registrar' | 'status' | 'calendar';
  /** Absence message; with source 'calendar', the meeting's summary (if not private). */
  message?: string;
  /** With source 'calendar': when the meeting or absence ends (RFC 3339). */
  until?: string;
  /** With source 'calendar': a meeting, or out of office. */
  activity?: 'meeting' | 'oof';
}

/** Event carrying ContactPresence[]: contacts asked about whose presence changed. */
export const PRESENCE_EVENT = 'presence:changed';

export const PresenceAPI = {
  setAvailable: (on: boolean) => call<null>('Presence', 'SetAvailable', on),
  /** Presence of the contacts the user may see (others are left out); changes then follow as events. */
  get: (ids: string[]) => call<ContactPresence[] | null>('Presence', 'Get', ids),
};
export type PresenceAPI = typeof PresenceAPI;
