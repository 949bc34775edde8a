// C5: when a call is offered to me, answered, or comes back as a recall, the places that caller
// was transferred to before are fetched from the history; the Contacts panel shows them as
// "recent destinations" and searches the most recent one — unless the attendant is already
// typing a search of their own.

import { HistoryAPI, type Destination } from '../api/history';
import { on } from '../api/transport';
import { Events, type Call, type PhoneCall, type QueueEvent } from '../api/types';
import { directoryStore } from './directory.svelte';
import { queueStore } from './queue.svelte';
import { session } from './session.svelte';

export interface DestinationsDeps {
  api: Pick<HistoryAPI, 'destinations'>;
  on: typeof on;
  me: () => string;
  findCall: (id: string) => Call | undefined;
  /** The search field's text, and running a search in it. */
  query: () => string;
  search: (q: string) => unknown;
}

export interface Suggestion {
  callId: string;
  caller: string;
  number: string;
  recall: boolean;
  destinations: Destination[];
}

/** What a destination is searched as: its contact's name, else the target as typed. */
export function destinationQuery(d: Destination): string {
  return d.name || d.target;
}

export class DestinationsStore {
  suggestion = $state.raw<Suggestion | null>(null);

  #deps: DestinationsDeps;
  #off: (() => void)[] = [];
  #seen = new Set<string>(); // call id + entered time: a recall restarts the time and counts anew
  #autoQuery = ''; // the search this store ran, so it may replace it but nothing typed

  constructor(deps: Partial<DestinationsDeps> = {}) {
    this.#deps = {
      api: deps.api ?? HistoryAPI,
      on: deps.on ?? on,
      me: deps.me ?? (() => session.user?.username ?? ''),
      findCall: deps.findCall ?? ((id) => queueStore.findCall(id)),
      query: deps.query ?? (() => directoryStore.query),
      search: deps.search ?? ((q) => directoryStore.search(q)),
    };
  }

  start() {
    if (this.#off.length) return;
    this.#off = [
      this.#deps.on(Events.queue, (data) => {
        const ev = data as QueueEvent | null;
        const c = ev?.call;
        if (c && ev.type === 'call.offered' && c.offeredTo && c.offeredTo === this.#deps.me()) void this.callArrived(c);
      }),
      this.#deps.on(Events.phoneCall, (data) => {
        const pc = data as PhoneCall | null;
        if (!pc?.queueCall || pc.state === 'ended') return;
        const c = this.#deps.findCall(pc.queueCall);
        if (c) void this.callArrived(c);
      }),
    ];
  }

  stop() {
    for (const off of this.#off) off();
    this.#off = [];
    this.#seen.clear();
    this.suggestion = null;
  }

  dismiss() {
    this.suggestion = null;
  }

  /** Fetches the caller's recent destinations once per arrival of a call. Never rejects. */
  async callArrived(c: Call): Promise<void> {
    const key = `${c.id}@${c.enteredAt}`;
    if (!c.callerNumber || this.#seen.has(key)) return;
    this.#seen.add(key);
    let list: Destination[];
    try {
      list = (await this.#deps.api.destinations(c.callerNumber)) ?? [];
    } catch {
      return; // a suggestion is a help, not something to report
    }
    if (list.length === 0) return;
    this.suggestion = {
      callId: c.id,
      caller: c.callerName || c.callerNumber,
      number: c.callerNumber,
      recall: c.recall,
      destinations: list,
    };
    const q = this.#deps.query().trim();
    if (q === '' || q === this.#autoQuery) {
      this.#autoQuery = destinationQuery(list[0]);
      void this.#deps.search(this.#autoQuery);
    }
  }
}

export const destinationsStore = new DestinationsStore();
