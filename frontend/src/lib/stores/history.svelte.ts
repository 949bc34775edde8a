// The call overview's history (O2, O3): my recent calls, newest first. The switchboard writes a
// history line when a call ends, is transferred, recalled or missed; the event stream carries no
// history lines, so the list is fetched again shortly after any call event that may have ended
// one (debounced: a busy queue does not cause a fetch per event).

import { HistoryAPI, type HistoryEntry } from '../api/history';
import { on } from '../api/transport';
import { Events, type PhoneCall, type QueueEvent } from '../api/types';

export interface HistoryStoreDeps {
  api: Pick<HistoryAPI, 'list'>;
  on: typeof on;
  /** Wait after a call event before fetching (ms): the line is written as the call ends. */
  delay?: number;
}

/** The number to reuse from an entry (O3): the transfer destination, else the caller. */
export function entryNumber(e: HistoryEntry): string {
  if ((e.outcome === 'transferred' || e.outcome === 'recalled') && e.destination) return e.destination;
  return e.callerNumber;
}

export class HistoryStore {
  entries = $state.raw<HistoryEntry[]>([]);
  loading = $state(false);
  error = $state('');

  #deps: Required<HistoryStoreDeps>;
  #off: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #late: ReturnType<typeof setTimeout> | null = null;
  #seq = 0;

  constructor(deps: Partial<HistoryStoreDeps> = {}) {
    this.#deps = { api: deps.api ?? HistoryAPI, on: deps.on ?? on, delay: deps.delay ?? 600 };
  }

  /** Loads the history and follows call events; idempotent. */
  start() {
    if (this.#off.length) return;
    this.#off = [
      this.#deps.on(Events.queue, (data) => {
        const type = (data as QueueEvent | null)?.type ?? '';
        if (type.startsWith('call.') && type !== 'call.updated') this.soon();
      }),
      this.#deps.on(Events.phoneCall, (data) => {
        if ((data as PhoneCall | null)?.state === 'ended') this.soon();
      }),
      this.#deps.on(Events.queueSnapshot, () => this.soon()),
    ];
    void this.refresh();
  }

  stop() {
    for (const off of this.#off) off();
    this.#off = [];
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#late) clearTimeout(this.#late);
    this.#timer = this.#late = null;
    this.#seq++;
    this.entries = [];
    this.error = '';
  }

  /**
   * Fetches again after the delay, and once more a few seconds later: a transfer is written when
   * the target answers, which no event of mine tells. Calls meanwhile are folded together.
   */
  soon() {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#late) clearTimeout(this.#late);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh();
    }, this.#deps.delay);
    this.#late = setTimeout(() => {
      this.#late = null;
      void this.refresh();
    }, this.#deps.delay * 10);
  }

  /** Fetches now; the latest fetch wins. Never rejects: a failure is in `error`. */
  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const list = (await this.#deps.api.list()) ?? [];
      if (seq !== this.#seq) return;
      this.entries = list;
      this.error = '';
    } catch (err) {
      if (seq !== this.#seq) return;
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}

export const historyStore = new HistoryStore();
