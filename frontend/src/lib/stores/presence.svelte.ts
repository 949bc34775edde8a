// Presence of the contacts on screen (C3, F1, D1, D3). Components ask for the ids they show with
// `want`; asks made in the same moment go to the switchboard as one request, after the results
// are on screen (presence may arrive a little later than the results, C3). From then on the
// switchboard pushes changes of those contacts (`presence:changed`). After a reconnect the store
// asks again for everything it knows, since changes may have been missed meanwhile.

import { PRESENCE_EVENT, PresenceAPI, type ContactPresence } from '../api/presence';
import { on as transportOn, type EventCallback } from '../api/transport';
import { SvelteMap } from 'svelte/reactivity';

/** Most ids per request (the switchboard's limit). */
export const PRESENCE_BATCH = 500;

export interface PresenceStoreDeps {
  api: Pick<PresenceAPI, 'get'>;
  on: (name: string, cb: EventCallback) => () => void;
  /** Delay that gathers the asks of one render into one request, in ms. */
  delay: number;
}

export class PresenceStore {
  #byId = new SvelteMap<string, ContactPresence>();
  #asked = new Set<string>();
  #pending = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #off: (() => void) | null = null;
  #generation = 0;
  #deps: PresenceStoreDeps;

  constructor(deps: Partial<PresenceStoreDeps> = {}) {
    this.#deps = { api: deps.api ?? PresenceAPI, on: deps.on ?? transportOn, delay: deps.delay ?? 30 };
  }

  /** The presence of a contact; undefined until known (shown as unknown). Reactive per id. */
  of(id: string): ContactPresence | undefined {
    return this.#byId.get(id);
  }

  /** Listens for pushed changes (the session starts it at login). Idempotent. */
  start() {
    if (this.#off) return;
    this.#off = this.#deps.on(PRESENCE_EVENT, (data) => {
      for (const p of (data as ContactPresence[] | null) ?? []) this.#apply(p);
    });
  }

  /** Asks for these contacts' presence, unless already asked for since the last refresh. */
  want(...ids: string[]) {
    for (const id of ids) {
      if (!id || this.#asked.has(id)) continue;
      this.#asked.add(id);
      this.#pending.add(id);
    }
    if (this.#pending.size && !this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#deps.delay);
    }
  }

  /** Sends the pending asks now. Never rejects: ids that failed are asked again next time. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ids = [...this.#pending];
    this.#pending.clear();
    const generation = this.#generation;
    for (let i = 0; i < ids.length; i += PRESENCE_BATCH) {
      const batch = ids.slice(i, i + PRESENCE_BATCH);
      try {
        const got = (await this.#deps.api.get(batch)) ?? [];
        if (generation !== this.#generation) return; // logged out meanwhile
        for (const p of got) this.#apply(p);
      } catch {
        for (const id of batch) this.#asked.delete(id); // presence stays unknown; retried when shown again
      }
    }
  }

  /** Asks again for every contact asked about: after a reconnect, changes may have been missed. */
  refresh() {
    const ids = [...this.#asked];
    this.#asked.clear();
    this.want(...ids);
  }

  /** Forgets everything (logout). */
  stop() {
    this.#off?.();
    this.#off = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#generation++;
    this.#asked.clear();
    this.#pending.clear();
    this.#byId.clear();
  }

  #apply(p: ContactPresence) {
    if (!p?.id) return;
    const old = this.#byId.get(p.id);
    if (
      old &&
      old.state === p.state &&
      old.stale === p.stale &&
      old.message === p.message &&
      old.updated === p.updated &&
      old.source === p.source &&
      old.until === p.until
    ) {
      return;
    }
    this.#byId.set(p.id, p);
  }
}

export const presenceStore = new PresenceStore();
