// Live queue statistics (Q10) and call reports (A3). The Go side is app/stats.go; the
// switchboard computes both (GET /api/v1/stats, /reports/calls) and refuses reports to
// anyone below supervisor.
import { call } from './transport';

/** One queue's figures for today (Go: stats.QueueStats). */
export interface QueueStats {
  id: string;
  name: string;
  /** Calls in the queue now. */
  waiting: number;
  longestWaitSeconds: number;
  /** When the longest-waiting call entered (RFC 3339), null when none waits: ticks live. */
  oldestEnteredAt: string | null;
  offered: number;
  answered: number;
  /** The caller hung up before anyone answered. */
  abandoned: number;
  /** A queue rule sent the call elsewhere. */
  forwarded?: number;
  avgWaitSeconds: number;
  maxWaitSeconds: number;
  /** 0..1: finished calls answered within serviceLevelSeconds; null before any. */
  serviceLevel: number | null;
  /** The queue's own goal (its rules): threshold in seconds, absent from older switchboards. */
  serviceLevelSeconds?: number;
  /** The queue's target, percent (1..100): below it the queue is below target. */
  serviceLevelTarget?: number;
}

export type AttendantState = 'available' | 'ringing' | 'onCall' | 'busy' | 'unreachable' | 'offline';

/** One attendant's state and figures for today (Go: stats.AttendantStats). */
export interface AttendantStats {
  username: string;
  name: string;
  state: AttendantState;
  answered: number;
  talkSeconds: number;
}

/** Today's statistics (Go: stats.Snapshot). */
export interface Stats {
  /** The switchboard's local day, YYYY-MM-DD. */
  day: string;
  /** The default threshold; each queue carries its own. */
  serviceLevelSeconds: number;
  queues: QueueStats[] | null;
  attendants: AttendantStats[] | null;
}

/** One queue on one day (Go: stats.ReportRow). */
export interface ReportRow {
  day: string;
  queueId: string;
  queueName: string;
  offered: number;
  answered: number;
  abandoned: number;
  avgWaitSeconds: number;
  maxWaitSeconds: number;
  serviceLevel: number | null;
  /** The queue's goal as configured now; absent from older switchboards. */
  serviceLevelSeconds?: number;
  serviceLevelTarget?: number;
}

export interface AttendantReport {
  username: string;
  name: string;
  answered: number;
  talkSeconds: number;
}

/** A call report (Go: stats.Report). */
export interface CallReport {
  from: string;
  to: string;
  serviceLevelSeconds: number;
  rows: ReportRow[] | null;
  attendants: AttendantReport[] | null;
}

/** Event carrying Stats: pushed by the switchboard after a change, at most once a second. */
export const STATS_EVENT = 'stats:updated';

/** Longest range of a report, in days (the switchboard's limit). */
export const MAX_REPORT_DAYS = 92;

export const StatsAPI = {
  today: () => call<Stats>('Stats', 'Today'),
  report: (from: string, to: string) => call<CallReport>('Stats', 'Report', from, to),
  reportCSV: (from: string, to: string) => call<string>('Stats', 'ReportCSV', from, to),
};
export type StatsAPI = typeof StatsAPI;
