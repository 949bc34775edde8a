// The company directory (C1–C9, D1): the search of the Contacts panel and the contact shown in
// the Details panel.
//
// The server does all the matching and ranking (accent/case-insensitive, several fragments,
// phone numbers in any format): results are shown in the order given, never re-filtered here.
// Every keystroke runs a search; answers can come back out of order, so only the answer to the
// latest request is applied ("latest wins") and older ones are dropped.

import { DirectoryAPI } from '../api/directory';
import type { Contact, NewContact } from '../api/types';

/**
 * Results asked for per keystroke: a few screens of rows. Every result costs on each hop (the
 * switchboard, the console, the page), so scrolling near the end asks for more (loadMore),
 * up to MAX_RESULTS (the switchboard's own limit); past that, typing more narrows the search.
 */
export const SEARCH_LIMIT = 50;
export const MAX_RESULTS = 500;

export interface DirectoryStoreDeps {
  api: Pick<DirectoryAPI, 'search' | 'get' | 'create' | 'update' | 'remove'>;
  limit?: number;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Makes a contact from Go safe to render: null slices and maps become empty ones. */
export function normalizeContact(c: Contact): Contact {
  return {
    ...c,
    displayName: c.displayName || [c.firstName, c.lastName].filter(Boolean).join(' '),
    phones: (c.phones ?? []).filter((p) => p && p.number),
    emails: (c.emails ?? []).filter(Boolean),
    custom: c.custom ?? {},
    visibility: c.visibility === 'private' ? 'private' : 'public',
    source: c.source || 'local',
  };
}

export class DirectoryStore {
  /** What is in the search field. */
  query = $state('');
  /** Results of the latest answered search, in the server's order. */
  results = $state.raw<Contact[]>([]);
  /** The query `results` answer (lags `query` while a search is in flight). */
  resultsQuery = $state('');
  /** The contact shown in the Details panel. */
  selected = $state.raw<Contact | null>(null);
  /** True while the latest search is in flight. */
  loading = $state(false);
  /** Message of the latest failed search, or "". */
  error = $state('');

  /** Results asked for by the current search: SEARCH_LIMIT, more after loadMore(). */
  limit = $state(SEARCH_LIMIT);

  #deps: Required<DirectoryStoreDeps>;
  #seq = 0;
  #selectSeq = 0;
  #user: string | null = null;

  constructor(deps: Partial<DirectoryStoreDeps> = {}) {
    this.#deps = { api: deps.api ?? DirectoryAPI, limit: deps.limit ?? SEARCH_LIMIT };
  }

  /**
   * Searches the directory; the latest call wins. Never rejects: a failure is in `error`.
   * An empty query clears the results without asking the server.
   */
  async search(q: string, keepLimit = false): Promise<void> {
    if (!keepLimit) this.limit = this.#deps.limit;
    this.query = q;
    const seq = ++this.#seq;
    const text = q.trim();
    if (text === '') {
      this.results = [];
      this.resultsQuery = '';
      this.loading = false;
      this.error = '';
      return;
    }
    this.loading = true;
    try {
      const hits = await this.#deps.api.search(text, this.limit);
      if (seq !== this.#seq) return; // a newer search was started: drop this stale answer
      const results = (hits ?? []).filter((h) => h?.contact).map((h) => normalizeContact(h.contact));
      this.results = results;
      this.resultsQuery = q;
      this.error = '';
      // Keep the details fresh when the selected contact comes back changed.
      const sel = this.selected;
      if (sel) {
        const fresh = results.find((c) => c.id === sel.id);
        if (fresh && fresh !== sel) this.selected = fresh;
      }
    } catch (err) {
      if (seq !== this.#seq) return;
      this.results = [];
      this.resultsQuery = q;
      this.error = errorMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Runs the current query again (after a change, or to retry). */
  refresh(): Promise<void> {
    return this.search(this.query, true);
  }

  /** True when the server may hold more matches than shown (the answer filled the limit). */
  get hasMore(): boolean {
    return this.results.length >= this.limit && this.limit < MAX_RESULTS;
  }

  /** Asks for more results of the same search (the list was scrolled near its end). */
  loadMore(): Promise<void> {
    if (this.loading || !this.hasMore) return Promise.resolve();
    this.limit = Math.min(MAX_RESULTS, this.limit * 4);
    return this.refresh();
  }

  /** Clears the search field and the results; the selected contact stays in the details. */
  clear(): Promise<void> {
    return this.search('');
  }

  /**
   * Shows a contact in the details: from the results when there, else fetched (Directory.Get).
   * `null` clears the details. Rejects with the server's message when the contact cannot be
   * fetched; a later select() supersedes an earlier one still in flight.
   */
  async select(id: string | null): Promise<void> {
    const seq = ++this.#selectSeq;
    if (!id) {
      this.selected = null;
      return;
    }
    const hit = this.results.find((c) => c.id === id);
    if (hit) {
      this.selected = hit;
      return;
    }
    const contact = await this.#deps.api.get(id);
    if (seq === this.#selectSeq) this.selected = contact ? normalizeContact(contact) : null;
  }

  /** Shows a contact the caller already holds (e.g. a favorite) in the details. */
  show(contact: Contact | null) {
    ++this.#selectSeq;
    this.selected = contact ? normalizeContact(contact) : null;
  }

  /** Creates a contact, selects it and re-runs the search. Rejects with the server's message. */
  async create(contact: NewContact): Promise<Contact> {
    const created = normalizeContact(await this.#deps.api.create(contact));
    this.show(created);
    await this.refresh();
    return created;
  }

  /** Saves a changed contact and re-runs the search. Rejects with the server's message. */
  async update(contact: Contact): Promise<Contact> {
    const updated = normalizeContact(await this.#deps.api.update(contact));
    this.results = this.results.map((c) => (c.id === updated.id ? updated : c));
    if (this.selected?.id === updated.id) this.show(updated);
    await this.refresh();
    return updated;
  }

  /** Deletes a contact and re-runs the search. Rejects with the server's message. */
  async remove(id: string): Promise<void> {
    await this.#deps.api.remove(id);
    this.results = this.results.filter((c) => c.id !== id);
    if (this.selected?.id === id) this.show(null);
    await this.refresh();
  }

  /** Forgets everything when another user signs in (private contacts stay private). */
  bindUser(username: string | null) {
    if (this.#user !== null && this.#user !== username) this.reset();
    this.#user = username;
  }

  /** Back to the initial state; answers still in flight are dropped. */
  reset() {
    this.#seq++;
    this.#selectSeq++;
    this.query = '';
    this.results = [];
    this.resultsQuery = '';
    this.selected = null;
    this.loading = false;
    this.error = '';
  }
}

export const directoryStore = new DirectoryStore();
