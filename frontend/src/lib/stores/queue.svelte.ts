// Mirror of the switchboard's queues: a snapshot (Queue.Snapshot) plus the ordered delta
// stream (`queue:event`). Every event carries a sequence number: events at or below the
// current seq are already in the state and ignored; the next one is applied; a gap means
// events were lost, so the store fetches a new snapshot. Events arriving while a snapshot is
// in flight are buffered and replayed on top of it. A reconnect (bridge WebSocket or
// switchboard connection) also triggers a fresh snapshot (L7).

import { QueueAPI } from '../api/queue';
import {
  BRIDGE_STATE_EVENT,
  bridgeConnected,
  on as transportOn,
  type EventCallback,
} from '../api/transport';
import {
  Events,
  type Attendant,
  type Call,
  type ConnectionState,
  type Line,
  type Queue,
  type QueueConfig,
  type QueueEvent,
  type QueueSnapshot,
} from '../api/types';

export type QueueStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface QueueStoreDeps {
  api: Pick<QueueAPI, 'snapshot' | 'pickup' | 'reserve' | 'answer' | 'reject' | 'setNote'> &
    Partial<Pick<QueueAPI, 'hold' | 'resume' | 'transfer'>>;
  on: (name: string, cb: EventCallback) => () => void;
  /** Delay before retrying a failed snapshot, by attempt (ms). */
  retryDelay?: (attempt: number) => number;
  bridgeConnected?: () => boolean;
}

function normalizeCall(c: Call): Call {
  return {
    ...c,
    callerName: c.callerName ?? '',
    callerNumber: c.callerNumber ?? '',
    note: c.note ?? '',
    offeredTo: c.offeredTo ?? '',
    reservedBy: c.reservedBy ?? '',
    rejectedBy: c.rejectedBy ?? [],
  };
}

function normalizeQueue(q: Queue): Queue {
  return { ...q, calls: (q.calls ?? []).map(normalizeCall) };
}

function normalizeLine(l: Line): Line {
  return { ...l, name: l.name ?? '', number: l.number ?? '', note: l.note ?? '', peer: l.peer ?? '', muted: Boolean(l.muted) };
}

function normalizeAttendant(a: Attendant): Attendant {
  return { ...a, queues: a.queues ?? [] };
}

export class QueueStore {
  queues = $state<Queue[]>([]);
  attendants = $state<Attendant[]>([]);
  /** Attendants' calls on the switchboard (workspace lines) and parked calls (O1), oldest first. */
  lines = $state<Line[]>([]);
  /** Told when a line ends (line.ended), with the switchboard's reason ("busy", "not found"...). */
  onLineEnded: ((line: Line, reason: string) => void) | null = null;
  status = $state<QueueStatus>('idle');
  error = $state('');
  /** Sequence number of the last event reflected in the state. */
  seq = 0;

  /** Calls waiting over all queues (Q2). */
  waiting = $derived(this.queues.reduce((n, q) => n + (q.calls?.length ?? 0), 0));

  #deps: QueueStoreDeps;
  #unsubscribe: (() => void)[] = [];
  #generation = 0;
  #syncing: Promise<void> | null = null;
  #again = false;
  #buffer: QueueEvent[] = [];
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #bridgeUp = true;
  #serverUp = true;

  constructor(deps: Partial<QueueStoreDeps> = {}) {
    this.#deps = {
      api: deps.api ?? QueueAPI,
      on: deps.on ?? transportOn,
      retryDelay: deps.retryDelay ?? ((n) => Math.min(1000 * 2 ** n, 15_000)),
      bridgeConnected: deps.bridgeConnected ?? (deps.on ? () => true : bridgeConnected),
    };
  }

  get started(): boolean {
    return this.#unsubscribe.length > 0;
  }

  /** Subscribes to the event stream and loads the first snapshot. */
  start(): Promise<void> {
    if (this.started) return this.#syncing ?? Promise.resolve();
    const { on } = this.#deps;
    this.#bridgeUp = this.#deps.bridgeConnected!();
    this.#unsubscribe = [
      on(Events.queue, (data) => this.handleEvent(data as QueueEvent)),
      on(Events.queueSnapshot, (data) => this.handlePushedSnapshot(data as QueueSnapshot)),
      on(BRIDGE_STATE_EVENT, (data) => {
        const up = Boolean((data as { connected?: boolean } | null)?.connected);
        if (up && !this.#bridgeUp) void this.resync();
        this.#bridgeUp = up;
      }),
      on(Events.connection, (data) => {
        const up = (data as ConnectionState | null)?.state === 'connected';
        if (up && !this.#serverUp) void this.resync();
        this.#serverUp = up;
      }),
    ];
    return this.resync();
  }

  /** Unsubscribes and forgets everything (logout). */
  stop() {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#generation++;
    this.#syncing = null;
    this.#again = false;
    this.#buffer = [];
    this.#attempt = 0;
    this.#bridgeUp = true;
    this.#serverUp = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.queues = [];
    this.attendants = [];
    this.lines = [];
    this.seq = 0;
    this.status = 'idle';
    this.error = '';
  }

  /** Replaces the state with a fresh snapshot; concurrent calls share one fetch. */
  resync(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    if (this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    const gen = this.#generation;
    if (this.status !== 'ready') this.status = 'loading';
    const run = async () => {
      let failed = false;
      try {
        do {
          this.#again = false;
          const snap = await this.#deps.api.snapshot();
          if (gen !== this.#generation) return;
          this.applySnapshot(snap);
        } while (this.#again);
        this.#attempt = 0;
        this.status = 'ready';
        this.error = '';
      } catch (err) {
        if (gen !== this.#generation) return;
        failed = true;
        this.error = err instanceof Error ? err.message : String(err);
        if (this.status !== 'ready') this.status = 'error';
      } finally {
        if (gen === this.#generation) this.#syncing = null;
      }
      if (gen !== this.#generation) return;
      const buffered = this.#buffer.sort((a, b) => a.seq - b.seq);
      this.#buffer = [];
      if (failed) {
        this.#scheduleRetry();
        return;
      }
      for (const ev of buffered) this.handleEvent(ev);
    };
    this.#syncing = run();
    return this.#syncing;
  }

  #scheduleRetry() {
    if (!this.started || this.#retryTimer !== null) return;
    const wait = this.#deps.retryDelay!(this.#attempt++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.resync();
    }, wait);
  }

  applySnapshot(snap: QueueSnapshot) {
    this.queues = (snap.queues ?? []).map(normalizeQueue);
    this.attendants = (snap.attendants ?? []).map(normalizeAttendant);
    this.lines = (snap.lines ?? []).map(normalizeLine);
    this.seq = snap.seq;
  }

  /**
   * Entry point for `queue:snapshot`: the console resubscribed to the switchboard and pushes
   * the whole state. It replaces ours; a fetch in flight is retried so it cannot roll us back.
   */
  handlePushedSnapshot(snap: QueueSnapshot) {
    if (!snap || typeof snap.seq !== 'number') return;
    if (this.#syncing) {
      this.#again = true;
      return;
    }
    this.applySnapshot(snap);
    this.status = 'ready';
    this.error = '';
  }

  /** Entry point for `queue:event`. */
  handleEvent(ev: QueueEvent) {
    if (!ev || typeof ev.seq !== 'number') return;
    if (this.#syncing) {
      this.#buffer.push(ev);
      return;
    }
    if (ev.seq <= this.seq) return; // already reflected
    if (ev.seq !== this.seq + 1) {
      // Lost events: start over from a snapshot; keep this one to replay on top of it.
      this.#buffer.push(ev);
      void this.resync();
      return;
    }
    this.applyDelta(ev);
    this.seq = ev.seq;
  }

  applyDelta(ev: QueueEvent) {
    switch (ev.type) {
      case 'call.queued':
      case 'call.updated':
      case 'call.offered':
        if (ev.call) this.#upsertCall(normalizeCall(ev.call), ev.after);
        // An offer or a taken call also changes the attendant it concerns.
        if (ev.attendant) this.#upsertAttendant(normalizeAttendant(ev.attendant));
        break;
      case 'call.taken':
      case 'call.abandoned':
      case 'call.forwarded': // a queue rule (Q9) sent it to another number
        if (ev.call) this.#removeCall(ev.call.id);
        if (ev.attendant) this.#upsertAttendant(normalizeAttendant(ev.attendant));
        break;
      case 'attendant.updated':
        if (ev.attendant) this.#upsertAttendant(normalizeAttendant(ev.attendant));
        break;
      case 'queue.updated':
        if (ev.queue) this.#upsertQueue(ev.queue);
        break;
      case 'line.updated':
        if (ev.line) this.#upsertLine(normalizeLine(ev.line));
        break;
      case 'line.ended':
        if (ev.line) {
          const id = ev.line.id;
          this.lines = this.lines.filter((l) => l.id !== id);
          this.onLineEnded?.(normalizeLine(ev.line), ev.reason ?? '');
        }
        break;
      case 'attendant.left':
        if (ev.attendant) {
          const name = ev.attendant.username;
          this.attendants = this.attendants.filter((a) => a.username !== name);
        }
        break;
      default:
        break; // unknown types are skipped, for forward compatibility
    }
  }

  /**
   * Puts a call where the switchboard says: after the call with id `after` ('' = first). The
   * engine owns the ordering rules (VIP, priority, reservations, recalls...), so the store never
   * guesses: without `after` (an older switchboard) a known call keeps its place, a new one goes last.
   */
  #upsertCall(call: Call, after?: string) {
    const target = this.queues.find((q) => q.id === call.queueId);
    for (const q of this.queues) {
      const calls = q.calls ?? [];
      const i = calls.findIndex((c) => c.id === call.id);
      if (i < 0) continue;
      if (q === target && after === undefined) {
        calls[i] = call; // keep the switchboard's position
        return;
      }
      calls.splice(i, 1); // moved, or placed anew below
    }
    if (!target) return; // a queue this attendant does not handle
    if (!target.calls) target.calls = [];
    const calls = target.calls;
    let at = calls.length; // an unknown predecessor cannot happen in seq order; last is harmless
    if (after === '') at = 0;
    else if (after) {
      const j = calls.findIndex((c) => c.id === after);
      if (j >= 0) at = j + 1;
    }
    calls.splice(at, 0, call);
  }

  #removeCall(id: string) {
    for (const q of this.queues) {
      const calls = q.calls ?? [];
      const i = calls.findIndex((c) => c.id === id);
      if (i >= 0) calls.splice(i, 1);
    }
  }

  #upsertQueue(cfg: QueueConfig) {
    const q = this.queues.find((x) => x.id === cfg.id);
    const state = { mode: cfg.mode, state: cfg.state, until: cfg.until };
    if (q) {
      q.name = cfg.name;
      q.priority = cfg.priority;
      Object.assign(q, state);
    } else {
      this.queues.push({ id: cfg.id, name: cfg.name, priority: cfg.priority, ...state, calls: [] });
    }
  }

  #upsertLine(line: Line) {
    const i = this.lines.findIndex((l) => l.id === line.id);
    if (i >= 0) this.lines[i] = line;
    else this.lines.push(line);
  }

  /** My lines on the switchboard (not the parked ones), oldest first (W1). */
  linesOf(username: string): Line[] {
    return username ? this.lines.filter((l) => l.attendant === username && l.state !== 'parked') : [];
  }

  /** Parked calls of every attendant (O1). */
  get parked(): Line[] {
    return this.lines.filter((l) => l.state === 'parked');
  }

  #upsertAttendant(a: Attendant) {
    const i = this.attendants.findIndex((x) => x.username === a.username);
    if (i >= 0) this.attendants[i] = a;
    else this.attendants.push(a);
  }

  // ---- queries -------------------------------------------------------------

  findCall(id: string): Call | undefined {
    for (const q of this.queues) {
      const c = q.calls?.find((x) => x.id === id);
      if (c) return c;
    }
    return undefined;
  }

  attendant(username: string): Attendant | undefined {
    return username ? this.attendants.find((a) => a.username === username) : undefined;
  }

  /** Display name of an attendant, falling back to the username. */
  attendantName(username: string): string {
    return this.attendant(username)?.name || username;
  }

  /** Calls currently offered to `username`, in queue order. */
  offeredTo(username: string): Call[] {
    if (!username) return [];
    return this.queues.flatMap((q) => (q.calls ?? []).filter((c) => c.offeredTo === username));
  }

  // ---- actions (errors propagate to the caller) -----------------------------

  pickup(callId: string) {
    return this.#deps.api.pickup(callId);
  }
  reserve(callId: string) {
    return this.#deps.api.reserve(callId);
  }
  answer(callId: string) {
    return this.#deps.api.answer(callId);
  }
  reject(callId: string) {
    return this.#deps.api.reject(callId);
  }
  async setNote(callId: string, note: string) {
    await this.#deps.api.setNote(callId, note);
    // The call.updated event brings the note to everyone; reflect it at once locally too.
    const call = this.findCall(callId);
    if (call) call.note = note;
    // An answered, held or parked call is a line (and a consultation's second line names it too).
    for (const l of this.lines) if (l.callId === callId) l.note = note;
  }

  /** Hold (W10) or resume the call (the switchboard call id of a softphone call). */
  hold(callId: string) {
    return (this.#deps.api.hold ?? QueueAPI.hold)(callId);
  }
  resume(callId: string) {
    return (this.#deps.api.resume ?? QueueAPI.resume)(callId);
  }
  /** Blind transfer (W8); `safe` brings it back to me as a recall when it fails (W14). */
  transfer(callId: string, target: string, safe: boolean) {
    return (this.#deps.api.transfer ?? QueueAPI.transfer)(callId, target, safe);
  }

  /** Locally reflects my availability until the attendant.updated event confirms it. */
  setLocalAvailability(username: string, available: boolean) {
    const a = this.attendant(username);
    if (a) a.available = available;
  }
}

export const queueStore = new QueueStore();
