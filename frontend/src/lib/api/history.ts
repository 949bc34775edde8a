import { call } from './transport';

/** How a call ended (O2), as the switchboard records it. */
export type HistoryOutcome = 'answered' | 'transferred' | 'recalled' | 'abandoned' | 'missed' | 'dropped';

/** One call of the attendant's history, newest first (Go: api.HistoryItem). */
export interface HistoryEntry {
  id: number;
  callId: string;
  /** "in" (received) or "out" (made). */
  direction: 'in' | 'out';
  queueId?: string;
  callerNumber: string;
  callerName?: string;
  attendant?: string;
  outcome: HistoryOutcome | string;
  /** Transfer target as the attendant gave it. */
  destination?: string;
  reason?: string;
  note?: string;
  /** RFC 3339. */
  started: string;
  ended: string;
  /** The transfer destination's contact, when the directory knows its number. */
  destinationContactId?: string;
  destinationName?: string;
  destinationDepartment?: string;
}

/** A target a caller was transferred to before (C5; Go: api.Destination). */
export interface Destination {
  target: string;
  contactId?: string;
  name?: string;
  department?: string;
  count: number;
  last: string;
}

export const HistoryAPI = {
  /** My recent calls, newest first (at most 200). */
  list: () => call<HistoryEntry[] | null>('History', 'List'),
  /** Where calls from this number were transferred to before, most recent first (at most 5). */
  destinations: (number: string) => call<Destination[] | null>('History', 'Destinations', number),
};
export type HistoryAPI = typeof HistoryAPI;
