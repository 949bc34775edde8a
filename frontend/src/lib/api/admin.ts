// Management views (L2, A2, A4): user accounts and queues, for administrators. The Go side is
// app/admin.go; the switchboard refuses every call to anyone else.
import { call } from './transport';
import type { QueueMode, QueueStateInfo, Role } from './types';

/** A user account (Go: api.User). Empty `queues` = handles every queue. */
export interface AdminUser {
  username: string;
  name: string;
  role: Role;
  extension: string;
  queues: string[] | null;
}

/** What is saved (Go: api.UserRequest). On update an empty password keeps the current one. */
export interface UserRequest {
  username: string;
  name: string;
  role: Role;
  password?: string;
  extension?: string;
  queues?: string[];
}

/** An opening time range within a day, "08:00"–"12:30"; `to` may be "24:00". */
export interface TimeRange {
  from: string;
  to: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening hours (Go: queue.Hours): a missing day is closed. */
export interface OpeningHours {
  timeZone: string;
  days: Partial<Record<Weekday, TimeRange[]>>;
  closedDates?: string[];
}

/** A queue's rules (Q9, Go: queue.Rules). Targets: a number, username or sip: URI; '' = off. */
export interface QueueRules {
  hours?: OpeningHours | null;
  whenClosed?: 'wait' | 'forward';
  closedTarget?: string;
  /** Seconds of waiting before the call goes to overflowTarget; 0 = off. */
  overflowAfter?: number;
  overflowTarget?: string;
  noAttendantTarget?: string;
  emergencyTarget?: string;
  /** Service-level goal (Q10): answered within this many seconds (5–600); 0/absent = 20. */
  serviceLevelSeconds?: number;
  /** Service-level target, percent (1–100); 0/absent = 80. */
  serviceLevelTarget?: number;
}

/** A stored queue (Go: api.QueueSettings). `attendants`: users assigned to it by name. */
export interface QueueSettings {
  id: string;
  name: string;
  numbers: string[] | null;
  priority: number;
  default: boolean;
  attendants: string[] | null;
  /** Set by supervisors (PUT /queues/{id}/mode); absent = auto. */
  mode?: QueueMode;
  rules?: QueueRules | null;
}

export interface QueueRequest {
  id: string;
  name: string;
  numbers: string[];
  priority: number;
  default: boolean;
  /** Omitted keeps the queue's current rules. */
  rules?: QueueRules;
}

/** Answer of SetQueueMode (Go: api.QueueMode): the state the mode gives the running queue. */
export interface QueueModeResult extends QueueStateInfo {
  id: string;
  mode: QueueMode;
  restartRequired: boolean;
}

/** restartRequired: the stored queues differ from those the switchboard runs with. */
export interface QueueSettingsList {
  queues: QueueSettings[] | null;
  restartRequired: boolean;
}

export interface QueueSaved {
  queue: QueueSettings;
  restartRequired: boolean;
}

export const AdminAPI = {
  users: () => call<AdminUser[]>('Admin', 'Users'),
  createUser: (u: UserRequest) => call<AdminUser>('Admin', 'CreateUser', u),
  updateUser: (u: UserRequest) => call<AdminUser>('Admin', 'UpdateUser', u),
  deleteUser: (username: string) => call<void>('Admin', 'DeleteUser', username),
  queues: () => call<QueueSettingsList>('Admin', 'Queues'),
  createQueue: (q: QueueRequest) => call<QueueSaved>('Admin', 'CreateQueue', q),
  updateQueue: (q: QueueRequest) => call<QueueSaved>('Admin', 'UpdateQueue', q),
  deleteQueue: (id: string) => call<QueueSettingsList>('Admin', 'DeleteQueue', id),
  setQueueMode: (id: string, mode: QueueMode) => call<QueueModeResult>('Admin', 'SetQueueMode', id, mode),
};
export type AdminAPI = typeof AdminAPI;
