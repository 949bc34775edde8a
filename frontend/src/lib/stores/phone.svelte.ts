// The console's built-in softphone (T2): its registration state for the status bar (L3) and
// its calls for the workspace (W1, W2, W5, W6, W11).
//
// `Phone.Calls()` gives the calls at start; `phone:call` then carries each call's full new
// state (an "ended" call is removed at once) and `phone:state` the registration state. Events
// that arrive while the first list is in flight win over it: they are newer.
//
// Answering and rejecting a queue offer go through the queue store (Queue.Answer / Reject):
// the Go side answers on the softphone when that offer rings there.

import { SvelteSet } from 'svelte/reactivity';
import { PhoneAPI } from '../api/phone';
import { on as transportOn, type EventCallback } from '../api/transport';
import { Events, type PhoneCall, type PhoneState, type PhoneStateName } from '../api/types';

export interface PhoneStoreDeps {
  api: Pick<PhoneAPI, 'calls' | 'hangup' | 'mute'> & Partial<Pick<PhoneAPI, 'state'>>;
  on: (name: string, cb: EventCallback) => () => void;
}

const STATES: readonly PhoneStateName[] = ['off', 'registering', 'registered', 'failed', 'unreachable'];

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True for the Go side's ErrNoPhone ("the built-in softphone is off"). */
export function isPhoneOff(err: unknown): boolean {
  return /softphone is off/i.test(errorMessage(err));
}

function normalizeCall(c: PhoneCall): PhoneCall {
  return {
    ...c,
    queueCall: c.queueCall ?? '',
    name: c.name ?? '',
    number: c.number ?? '',
    autoAnswer: Boolean(c.autoAnswer),
    muted: Boolean(c.muted),
    since: c.since ?? '',
  };
}

function bySince(a: PhoneCall, b: PhoneCall): number {
  return (Date.parse(a.since) || 0) - (Date.parse(b.since) || 0);
}

export class PhoneStore {
  /** Registration state; "off" when there is no softphone (or nothing is known yet). */
  state = $state<PhoneStateName>('off');
  /** The registration error (failed / unreachable), or the message of a failed load; else "". */
  error = $state('');
  /** Ringing and active calls, in arrival order; ended calls are removed. */
  calls = $state<PhoneCall[]>([]);
  /**
   * Switchboard call ids (`queueCall`) put on hold from here (W10). Local only: set after
   * Queue.Hold / Queue.Resume succeed, forgotten when the call ends.
   */
  held = new SvelteSet<string>();

  #deps: PhoneStoreDeps;
  #unsubscribe: (() => void)[] = [];
  #generation = 0;
  /** Ids changed by events while the first list is in flight (null when none is). */
  #touched: Set<string> | null = null;

  constructor(deps: Partial<PhoneStoreDeps> = {}) {
    this.#deps = { api: deps.api ?? PhoneAPI, on: deps.on ?? transportOn };
  }

  get listening(): boolean {
    return this.#unsubscribe.length > 0;
  }

  /**
   * Subscribes to the softphone's events (idempotent). The session calls it just before
   * logging in, so the registration state the Go side reports during the login is not missed.
   */
  listen() {
    if (this.listening) return;
    const { on } = this.#deps;
    this.#unsubscribe = [
      on(Events.phoneCall, (data) => this.handleCall(data as PhoneCall | null)),
      on(Events.phoneState, (data) => this.handleState(data as PhoneState | null)),
    ];
  }

  /** Listens to the events and loads the calls (session start). Never rejects. */
  start(): Promise<void> {
    this.listen();
    return this.load();
  }

  /** Loads the calls; a newer event for a call wins over the list. Never rejects. */
  async load(): Promise<void> {
    const gen = this.#generation;
    const touched = new Set<string>();
    this.#touched = touched;
    try {
      const [list, st] = await Promise.all([
        this.#deps.api.calls().then((l) => l ?? []),
        this.#deps.api.state?.().catch(() => null),
      ]);
      if (gen !== this.#generation) return;
      // After a reload the state events were missed: take the current one,
      // unless an event already told us.
      if (st && st.state && this.state === 'off') {
        this.state = st.state;
        this.error = st.error ?? '';
      }
      const loaded = list
        .filter((c) => c && c.id && c.state !== 'ended' && !touched.has(c.id))
        .map(normalizeCall);
      const fresh = this.calls.filter((c) => touched.has(c.id));
      this.calls = [...loaded, ...fresh].sort(bySince);
      this.#pruneHeld();
      if (this.error && this.state !== 'failed' && this.state !== 'unreachable') this.error = '';
    } catch (err) {
      if (gen !== this.#generation) return;
      if (isPhoneOff(err)) {
        this.#off();
      } else {
        this.error = errorMessage(err);
      }
    } finally {
      if (this.#touched === touched) this.#touched = null;
    }
  }

  /** Unsubscribes and forgets everything (logout). */
  stop() {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#generation++;
    this.#touched = null;
    this.state = 'off';
    this.error = '';
    this.calls = [];
    this.held.clear();
  }

  // ---- events --------------------------------------------------------------

  handleCall(data: PhoneCall | null) {
    if (!data || !data.id) return;
    const call = normalizeCall(data);
    this.#touched?.add(call.id);
    const i = this.calls.findIndex((c) => c.id === call.id);
    if (call.state === 'ended') {
      if (i >= 0) this.calls.splice(i, 1);
      this.#pruneHeld();
      return;
    }
    if (i >= 0) this.calls[i] = call;
    else this.calls.push(call);
  }

  handleState(data: PhoneState | null) {
    if (!data || !STATES.includes(data.state)) return;
    if (data.state === 'off') {
      this.#off();
      return;
    }
    this.state = data.state;
    this.error = data.error ?? '';
  }

  #off() {
    this.state = 'off';
    this.error = '';
    this.calls = [];
    this.held.clear();
  }

  /** Forgets the held state of calls no longer on the softphone. */
  #pruneHeld() {
    for (const id of this.held) {
      if (!this.calls.some((c) => c.queueCall === id)) this.held.delete(id);
    }
  }

  // ---- queries -------------------------------------------------------------

  find(id: string): PhoneCall | undefined {
    return this.calls.find((c) => c.id === id);
  }

  /** The softphone call a queue call rings on (or was answered on), if any. */
  forQueueCall(queueCallId: string): PhoneCall | undefined {
    return queueCallId ? this.calls.find((c) => c.queueCall === queueCallId) : undefined;
  }

  /** True when the switchboard call was put on hold from here (W10). */
  isHeld(queueCallId: string): boolean {
    return queueCallId !== '' && this.held.has(queueCallId);
  }

  /** Records the held state once Queue.Hold / Queue.Resume succeeded. */
  setHeld(queueCallId: string, on: boolean) {
    if (!queueCallId) return;
    if (on) this.held.add(queueCallId);
    else this.held.delete(queueCallId);
  }

  // ---- actions (errors propagate to the caller) -----------------------------

  /** Hangs up (W6) or declines a ringing call. */
  async hangup(id: string): Promise<void> {
    await this.#act(() => this.#deps.api.hangup(id));
  }

  /** Mutes or unmutes the microphone (W11); reflected at once, the events confirm it. */
  async mute(on: boolean): Promise<void> {
    await this.#act(() => this.#deps.api.mute(on));
    for (const c of this.calls) c.muted = on;
  }

  async #act(action: () => Promise<unknown>) {
    try {
      await action();
    } catch (err) {
      if (isPhoneOff(err)) this.#off();
      throw err;
    }
  }
}

export const phoneStore = new PhoneStore();
