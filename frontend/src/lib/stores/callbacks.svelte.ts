// Callback requests (W15): the list every console shows in the call overview, kept live by
// `callbacks:changed` (one request, whole, for every change by anyone), read again after a
// reconnect (the bridge WebSocket or the switchboard link) since pushes may have been missed.
// Also the "Callback request" dialog's state (what it opens with) and Settings → Mail.

import {
  CALLBACKS_EVENT,
  CallbacksAPI,
  type Callback,
  type CallbackRequest,
  type MailSettings,
  type MailSettingsUpdate,
  type MailTest,
} from '../api/callbacks';
import { BRIDGE_STATE_EVENT, bridgeConnected, on as transportOn, type EventCallback } from '../api/transport';
import { Events, type ConnectionState } from '../api/types';
import { AdminSettingsStore } from './adminSettings.svelte';

export interface CallbacksStoreDeps {
  api: Pick<CallbacksAPI, 'list' | 'create' | 'done' | 'reopen'>;
  on: (name: string, cb: EventCallback) => () => void;
  bridgeConnected: () => boolean;
}

/** What the dialog opens with; every field can be changed there. */
export type CallbackDraft = Pick<Callback, 'forId' | 'forName' | 'forNumber' | 'callerName' | 'callerNumber' | 'message'>;

export function emptyDraft(over: Partial<CallbackDraft> = {}): CallbackDraft {
  return { forId: '', forName: '', forNumber: '', callerName: '', callerNumber: '', message: '', ...over };
}

function normalize(c: Callback): Callback {
  return {
    ...c,
    forId: c.forId ?? '',
    forName: c.forName ?? '',
    forNumber: c.forNumber ?? '',
    callerName: c.callerName ?? '',
    callerNumber: c.callerNumber ?? '',
    message: c.message ?? '',
    createdByName: c.createdByName ?? '',
    doneAt: c.doneAt || null,
    doneBy: c.doneBy ?? '',
    doneByName: c.doneByName ?? '',
    delivery: c.delivery || 'none',
    deliveredTo: c.deliveredTo ?? '',
    deliveryError: c.deliveryError ?? '',
  };
}

const newestFirst = (a: Callback, b: Callback) => Date.parse(b.createdAt) - Date.parse(a.createdAt);

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class CallbacksStore {
  /** Open requests and recently done ones, newest first. */
  items = $state.raw<Callback[]>([]);
  loaded = $state(false);
  error = $state('');
  /** The dialog is open with this; null when closed. */
  draft = $state.raw<CallbackDraft | null>(null);
  /** The dialog was opened once (it is loaded on first use). */
  dialogUsed = $state(false);

  open = $derived(this.items.filter((c) => c.status === 'open'));
  done = $derived(this.items.filter((c) => c.status === 'done'));

  #deps: CallbacksStoreDeps;
  #off: (() => void)[] = [];
  #generation = 0;
  /** Pushes received while a List is in flight: newer than its answer. */
  #pending: Map<string, Callback> | null = null;
  #bridgeUp = true;
  #serverUp = true;

  constructor(deps: Partial<CallbacksStoreDeps> = {}) {
    this.#deps = {
      api: deps.api ?? CallbacksAPI,
      on: deps.on ?? transportOn,
      bridgeConnected: deps.bridgeConnected ?? (deps.on ? () => true : bridgeConnected),
    };
  }

  get started(): boolean {
    return this.#off.length > 0;
  }

  /** Listens for changes and loads the list. Idempotent; never rejects. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    const { on } = this.#deps;
    this.#bridgeUp = this.#deps.bridgeConnected();
    this.#off = [
      on(CALLBACKS_EVENT, (data) => {
        if (data && typeof data === 'object' && typeof (data as Callback).id === 'string') this.apply(data as Callback);
      }),
      on(BRIDGE_STATE_EVENT, (data) => {
        const up = Boolean((data as { connected?: boolean } | null)?.connected);
        if (up && !this.#bridgeUp) void this.refresh();
        this.#bridgeUp = up;
      }),
      on(Events.connection, (data) => {
        const up = (data as ConnectionState | null)?.state === 'connected';
        if (up && !this.#serverUp) void this.refresh();
        this.#serverUp = up;
      }),
    ];
    return this.refresh();
  }

  /** Forgets everything (logout). */
  stop() {
    for (const off of this.#off) off();
    this.#off = [];
    this.#generation++;
    this.#pending = null;
    this.#bridgeUp = true;
    this.#serverUp = true;
    this.items = [];
    this.loaded = false;
    this.error = '';
    this.draft = null;
  }

  /** Reads the whole list again. Never rejects: a failure is in `error`. */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    this.#pending = new Map();
    try {
      const list = ((await this.#deps.api.list()) ?? []).map(normalize);
      if (generation !== this.#generation) return;
      const byId = new Map(list.map((c) => [c.id, c]));
      for (const [id, c] of this.#pending ?? []) byId.set(id, c);
      this.items = [...byId.values()].sort(newestFirst);
      this.loaded = true;
      this.error = '';
    } catch (err) {
      if (generation === this.#generation) this.error = message(err);
    } finally {
      if (generation === this.#generation) this.#pending = null;
    }
  }

  /** Takes one request as the switchboard now has it (new or changed). */
  apply(raw: Callback) {
    const c = normalize(raw);
    this.#pending?.set(c.id, c);
    const rest = this.items.filter((x) => x.id !== c.id);
    this.items = [...rest, c].sort(newestFirst);
  }

  /** Creates a request; rejects with the switchboard's message (shown in the dialog). */
  async create(req: CallbackRequest): Promise<Callback> {
    const c = await this.#deps.api.create(req);
    if (c) this.apply(c);
    return c;
  }

  /** Marks done; rejects with the switchboard's message. */
  async markDone(id: string): Promise<void> {
    const c = await this.#deps.api.done(id);
    if (c) this.apply(c);
  }

  async reopen(id: string): Promise<void> {
    const c = await this.#deps.api.reopen(id);
    if (c) this.apply(c);
  }

  /** Opens the dialog with these fields filled in. */
  openDialog(draft: Partial<CallbackDraft> = {}) {
    this.dialogUsed = true;
    this.draft = emptyDraft(draft);
  }

  closeDialog() {
    this.draft = null;
  }
}

export const callbacksStore = new CallbacksStore();

/** Settings → Mail (administrators): the outgoing mail server the requests are e-mailed with.
 * Saving rejects with the switchboard's message (bad port, missing sender…); the test sends one
 * message with the saved settings. */
export class MailAdminStore extends AdminSettingsStore<MailSettings, MailSettingsUpdate, MailTest> {
  constructor(api: Pick<CallbacksAPI, 'mailSettings' | 'saveMailSettings' | 'testMail'> = CallbacksAPI) {
    super({ load: () => api.mailSettings(), save: (s) => api.saveMailSettings(s), test: (to) => api.testMail(to) });
  }
}

export const mailAdminStore = new MailAdminStore();
