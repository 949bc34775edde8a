// TypeScript mirrors of the Go types of the bound services (package app).
// Keep in sync with the Go structs' JSON tags.

export type Role = 'attendant' | 'supervisor' | 'admin';

export interface SessionConfig {
  /** True when the switchboard runs in-process: no address to enter. */
  embedded: boolean;
  /** Default / last switchboard address. */
  server: string;
  version: string;
  /** What "remember me" kept of the last login (prefills the form). */
  last?: LastLogin;
  /** True when the OS keyring can keep the password; else only username and server are kept. */
  keyring: boolean;
}

export interface LastLogin {
  server: string;
  username: string;
  extension: string;
  remember: boolean;
  passwordSaved: boolean;
  deskPhone?: boolean;
}

/** Sound devices chosen in the settings (S6); "" is the system default. */
export interface DeviceSettings {
  ringer: string;
  input: string;
  output: string;
  ringtone: string;
}

export interface SoundDevice {
  name: string;
  input: boolean;
  output: boolean;
  defaultInput: boolean;
  defaultOutput: boolean;
}

export interface LoginRequest {
  username: string;
  password: string;
  /** Empty for a management login without telephony (L2). */
  extension: string;
  /** Ignored when embedded. */
  server: string;
  remember: boolean;
  /** Calls ring on the extension's desk phone; the built-in softphone stays off (T2). */
  deskPhone?: boolean;
}

export interface SessionInfo {
  username: string;
  name: string;
  role: Role;
  extension: string;
  /** False when logged in without an extension (L2). */
  telephony: boolean;
  /** Calls ring on the extension's desk phone, not the built-in softphone. */
  deskPhone?: boolean;
}

export interface Call {
  id: string;
  queueId: string;
  callerNumber: string;
  callerName: string;
  /** RFC 3339; restarts on a recall. */
  enteredAt: string;
  priority: number;
  vip: boolean;
  note: string;
  /** Username of the attendant the call is offered to, or "". */
  offeredTo: string;
  recall: boolean;
  /** Username of the attendant who reserved the call ("priority in queue"), or "". */
  reservedBy: string;
  /** Usernames of attendants who rejected the call. */
  rejectedBy: string[] | null;
  /**
   * Set while the call is back in the queue after a queue rule's forward failed (Q9): the number
   * dialled and the switchboard's reason ("busy", "no answer", …). Absent otherwise.
   */
  forwardFailed?: ForwardFailure | null;
}

/** A failed forward (Go: queue.ForwardFailure). */
export interface ForwardFailure {
  target: string;
  reason: string;
}

/** How a supervisor set a queue (Q9): by its opening hours, forced open or closed, emergency. */
export type QueueMode = 'auto' | 'open' | 'closed' | 'emergency';
/** What the mode and the opening hours make of the queue now. */
export type QueueState = 'open' | 'closed' | 'emergency';

/** A queue's mode and effective state (Q9); absent from older switchboards. */
export interface QueueStateInfo {
  mode?: QueueMode;
  state?: QueueState;
  /** RFC 3339: when the opening hours change `state` next (auto mode only). */
  until?: string;
}

export interface Queue extends QueueStateInfo {
  id: string;
  name: string;
  priority: number;
  /** In service order. */
  calls: Call[] | null;
}

export interface Attendant {
  username: string;
  name: string;
  extension: string;
  queues: string[] | null;
  available: boolean;
  onCall: boolean;
  /** RFC 3339, or "" / zero time. */
  idleSince: string;
  /** Their phone could not be rung (not registered): they are offered no call until it can. */
  unreachable?: boolean;
}

export interface QueueSnapshot {
  seq: number;
  queues: Queue[] | null;
  attendants: Attendant[] | null;
  /** Calls attendants handle (workspace lines) and parked calls, oldest first. */
  lines?: Line[] | null;
}

export type LineState = 'ringing' | 'active' | 'held' | 'parked';

/**
 * A call an attendant handles on the switchboard (W1, W2), also when it is on a desk phone:
 * active, held, a consultation (W9: the caller's line and the target's, linked by `peer`) or
 * parked (O1, shown to everyone; `attendant` is who parked it).
 */
export interface Line {
  id: string;
  /** The switchboard call: the caller's line has id === callId; a consultation's is "<callId>.consult". */
  callId: string;
  attendant: string;
  number: string;
  name: string;
  direction: 'in' | 'out';
  state: LineState;
  peer?: string;
  /** Muted on the switchboard (W11). */
  muted?: boolean;
  note: string;
  /** RFC 3339: when answered (the talk timer), or parked; a ringing line: when dialled. */
  startedAt: string;
  /** W2: how long the caller waited in the queue before the answer; absent if it never did. */
  waitedMs?: number;
}

export type QueueEventType =
  | 'call.queued'
  | 'call.updated'
  | 'call.offered'
  | 'call.taken'
  | 'call.abandoned'
  | 'call.forwarded'
  | 'attendant.updated'
  | 'attendant.left'
  | 'queue.updated'
  | 'line.updated'
  | 'line.ended';

/** Queue configuration carried by queue.updated (no calls), with its mode and state (Q9). */
export interface QueueConfig extends QueueStateInfo {
  id: string;
  name: string;
  priority: number;
}

export interface QueueEvent {
  seq: number;
  type: QueueEventType;
  /** RFC 3339. */
  time: string;
  call?: Call;
  attendant?: Attendant;
  queue?: QueueConfig;
  /** line.updated, line.ended. */
  line?: Line;
  /** Username of the attendant who caused the event (e.g. took the call). */
  by?: string;
  reason?: string;
  /** call.forwarded: the number a queue rule sent the call to (Q9). */
  target?: string;
  /**
   * Where the switchboard put the call in its queue's service order: the id of the call just
   * before it, '' when first. Set on call.queued/updated/offered while the call waits.
   */
  after?: string;
}

export type Language = 'fr' | 'en' | 'nl' | 'de';
export type Theme = 'light' | 'dark' | 'system';
export type PanelId = 'queue' | 'workspace' | 'overview' | 'favorites' | 'contacts' | 'details';

export interface Settings {
  language: Language;
  theme: Theme;
  /** Panel ids, in display order (two per column, three columns). */
  panelOrder: string[];
  /** Ids of collapsed panels. */
  collapsed: string[];
  /**
   * Layout sizes in whole percent (Go: map[string]int), keyed by panel id: for the panel at the
   * top of a column, the column's width; for the panel at the bottom of a column, its share of
   * the column's height.
   */
  sizes: Record<string, number>;
  /** Keyboard shortcuts the user remapped (S5): action id → keys; defaults are not stored. */
  shortcuts?: Record<string, string[]>;
  /** What Enter on a contact does: call its number, or transfer the active call to it (S5). */
  enterAction?: EnterAction;
}

export type EnterAction = 'call' | 'transfer';

export type ConnectionStateName = 'connected' | 'reconnecting' | 'offline';

export interface ConnectionState {
  state: ConnectionStateName;
  error?: string;
}

/** Event names emitted by the Go side. */
export const Events = {
  queue: 'queue:event',
  /** A full snapshot pushed by the console after (re)subscribing to the switchboard. */
  queueSnapshot: 'queue:snapshot',
  connection: 'connection:state',
  sessionEnded: 'session:ended',
  /** Data: PhoneCall, its full new state. */
  phoneCall: 'phone:call',
  /** Data: PhoneState. */
  phoneState: 'phone:state',
} as const;

// ---- Built-in softphone (T2, W5, W6, W11) -----------------------------------

export type PhoneStateName = 'off' | 'registering' | 'registered' | 'failed' | 'unreachable';

export interface PhoneState {
  state: PhoneStateName;
  error?: string;
}

export type PhoneCallState = 'ringing' | 'active' | 'ended';

export interface PhoneCall {
  /** The softphone's handle (SIP Call-ID). */
  id: string;
  /** The switchboard's call id when the call came from a queue, else "". */
  queueCall: string;
  name: string;
  number: string;
  state: PhoneCallState;
  /** Answered at once (pickup, answer from the console). */
  autoAnswer: boolean;
  muted: boolean;
  /** RFC 3339: when the current state began. */
  since: string;
}

// ---- Directory (contacts, C1–C9, D1) ----------------------------------------

export type PhoneType = 'work' | 'mobile' | 'home' | 'extension' | 'other';
export const PHONE_TYPES: readonly PhoneType[] = ['work', 'mobile', 'extension', 'home', 'other'];

export interface Phone {
  type: PhoneType;
  /** As entered; the server matches it in any format. */
  number: string;
}

/** C7: "private" = visible to the owner and administrators only; "public" = visible to everyone. */
export type Visibility = 'private' | 'public';
export type ContactSource = 'local' | 'ldap' | 'csv' | 'vcard';

export interface Contact {
  id: string;
  firstName?: string;
  lastName?: string;
  displayName: string;
  department?: string;
  jobTitle?: string;
  responsibilities?: string;
  phones?: Phone[] | null;
  emails?: string[] | null;
  location?: string;
  /** http(s) or data:image/ URI, validated by the server. */
  imageUri?: string;
  manager?: string;
  custom?: Record<string, string> | null;
  vip?: boolean;
  absenceMessage?: string;
  /** Username of the creator; set by the server. */
  owner?: string;
  visibility: Visibility;
  /** Set by the server ("local" for contacts created in the console). */
  source: ContactSource;
  externalId?: string;
  /** RFC 3339; set by the server. */
  updated: string;
}

/**
 * What Directory.Create takes: id, owner, updated and source are set by the server and are left
 * out (an empty "updated" would not decode as a Go time.Time).
 */
export type NewContact = Omit<Contact, 'id' | 'owner' | 'updated' | 'source'>;

/** One search hit, in the server's ranking order. */
export interface SearchResult {
  contact: Contact;
  score: number;
}

// ---- Favorites (F1–F5, S2) --------------------------------------------------

/** One favorites tab as stored (Go: favorites.Group). */
export interface FavoriteGroup {
  /** 1–64 characters, unique among the user's groups. */
  id: string;
  /** At most 100 characters; "" for the default group (shown as the translated "Favorites"). */
  name: string;
  /** Ordered, no duplicates, at most 500. */
  contactIds: string[];
  /** Visible fields (F5); [] shows the defaults. */
  fields: string[];
}

/** A group with its contacts resolved (Go: favorites.View): contacts in contactIds order. */
export interface FavoriteGroupView extends FavoriteGroup {
  contacts: Contact[];
}
