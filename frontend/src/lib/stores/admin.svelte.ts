// Management views (L2, A2, A4): which view an administrator sees, and the user accounts and
// queues they edit. Saves reject with the switchboard's message (shown next to the form); the
// lists change only once the switchboard has accepted.

import {
  AdminAPI,
  type AdminUser,
  type QueueModeResult,
  type QueueRequest,
  type QueueSettings,
  type UserRequest,
} from '../api/admin';
import type { QueueMode, SessionInfo } from '../api/types';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const byUsername = (a: AdminUser, b: AdminUser) => a.username.localeCompare(b.username);

export type AdminTab = 'users' | 'queues' | 'reports';

export class AdminStore {
  users = $state.raw<AdminUser[]>([]);
  queues = $state.raw<QueueSettings[]>([]);
  /** Stored queues differ from the running ones: they apply at the switchboard's next start. */
  restartRequired = $state(false);
  loading = $state(false);
  /** Why the lists could not be loaded (offline, refused). */
  error = $state('');
  tab = $state<AdminTab>('users');

  /** The administrator's own choice of view, per user; without one the default applies. */
  #choice = $state<{ username: string; open: boolean } | null>(null);
  #api: AdminAPI;

  constructor(api: AdminAPI = AdminAPI) {
    this.#api = api;
  }

  /** Whether user may open the management views (the switchboard checks again). */
  static allowed(user: SessionInfo | null): boolean {
    return AdminStore.tabs(user).length > 0;
  }

  /** The tabs user may use: administrators manage users and queues; supervisors read them, open
   *  and close queues (Q9) and read reports (A3). */
  static tabs(user: SessionInfo | null): AdminTab[] {
    if (user?.role === 'admin' || user?.role === 'supervisor') return ['users', 'queues', 'reports'];
    return [];
  }

  /** Whether user edits users and queues; supervisors only read them (the switchboard checks again). */
  static canEdit(user: SessionInfo | null): boolean {
    return user?.role === 'admin';
  }

  /** Whether the management views replace the panels: by default for an administrator who
   *  logged in without an extension (L2), else when they chose it from the avatar menu. */
  shown(user: SessionInfo | null): boolean {
    if (!user || !AdminStore.allowed(user)) return false;
    const c = this.#choice;
    return c && c.username === user.username ? c.open : !user.telephony;
  }

  setShown(user: SessionInfo | null, open: boolean) {
    if (user) this.#choice = { username: user.username, open };
  }

  /** Forgets the view chosen (log out): the next login gets the default again. */
  reset() {
    this.#choice = null;
    this.users = [];
    this.queues = [];
    this.error = '';
  }

  /** Loads both lists; a failure is kept in `error`. Never rejects. */
  async load(): Promise<void> {
    this.loading = true;
    try {
      const [users, list] = await Promise.all([this.#api.users(), this.#api.queues()]);
      this.users = [...(users ?? [])].sort(byUsername);
      this.queues = list.queues ?? [];
      this.restartRequired = list.restartRequired;
      this.error = '';
    } catch (err) {
      this.error = message(err);
    } finally {
      this.loading = false;
    }
  }

  /** Creates or updates an account; rejects with the server's message. */
  async saveUser(req: UserRequest, create: boolean): Promise<AdminUser> {
    const saved = create ? await this.#api.createUser(req) : await this.#api.updateUser(req);
    this.users = [...this.users.filter((u) => u.username !== saved.username), saved].sort(byUsername);
    // A queue's attendants follow the users' queues.
    await this.#reloadQueues();
    return saved;
  }

  async deleteUser(username: string): Promise<void> {
    await this.#api.deleteUser(username);
    this.users = this.users.filter((u) => u.username !== username);
    await this.#reloadQueues();
  }

  /** Creates or updates a queue; rejects with the server's message (duplicate number…). */
  async saveQueue(req: QueueRequest, create: boolean): Promise<QueueSettings> {
    const saved = create ? await this.#api.createQueue(req) : await this.#api.updateQueue(req);
    this.restartRequired = saved.restartRequired;
    // Making a queue the default takes that role from another: read the list back.
    await this.#reloadQueues(saved.queue);
    return saved.queue;
  }

  /** Opens, closes or puts a queue in emergency (Q9); rejects with the server's message. */
  async setMode(id: string, mode: QueueMode): Promise<QueueModeResult> {
    const res = await this.#api.setQueueMode(id, mode);
    this.queues = this.queues.map((q) => (q.id === id ? { ...q, mode: res.mode } : q));
    return res;
  }

  async deleteQueue(id: string): Promise<void> {
    const list = await this.#api.deleteQueue(id);
    this.queues = list.queues ?? [];
    this.restartRequired = list.restartRequired;
  }

  /** Reloads the queues; if that fails, keeps what is known with `saved` in place. */
  async #reloadQueues(saved?: QueueSettings): Promise<void> {
    try {
      const list = await this.#api.queues();
      this.queues = list.queues ?? [];
      this.restartRequired = list.restartRequired;
    } catch {
      if (saved) this.queues = [...this.queues.filter((q) => q.id !== saved.id), saved];
    }
  }
}

export const adminStore = new AdminStore();
