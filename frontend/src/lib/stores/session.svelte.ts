// Session lifecycle: boot (config + current session), login, logout, session end, and my
// own availability (L4).

import { PresenceAPI } from '../api/presence';
import { SessionAPI } from '../api/session';
import { on } from '../api/transport';
import { Events, type LoginRequest, type SessionConfig, type SessionInfo } from '../api/types';
import { connectionStore } from './connection.svelte';
import { directoryStore } from './directory.svelte';
import { favoritesStore } from './favorites.svelte';
import { errorText, notices } from './notices.svelte';
import { phoneStore } from './phone.svelte';
import { queueStore } from './queue.svelte';
import { settingsStore } from './settings.svelte';
import { t } from '../i18n/index.svelte';

export type Phase = 'booting' | 'login' | 'main';

const FALLBACK_CONFIG: SessionConfig = { embedded: false, server: '', version: '' };

export class SessionStore {
  phase = $state<Phase>('booting');
  config = $state<SessionConfig>(FALLBACK_CONFIG);
  user = $state<SessionInfo | null>(null);
  /** Set when the switchboard ended the session (session:ended), shown on the login window. */
  ended = $state(false);
  #localAvailable = $state(true);
  #offEnded: (() => void) | null = null;

  /** My availability: the switchboard's view when known, else what I last asked for. */
  available = $derived.by(() => {
    const me = this.user ? queueStore.attendant(this.user.username) : undefined;
    return me ? me.available : this.#localAvailable;
  });

  async init() {
    if (!this.#offEnded) {
      this.#offEnded = on(Events.sessionEnded, () => {
        if (this.phase !== 'main') return;
        this.#leave();
        this.ended = true;
      });
    }
    const [config, current] = await Promise.all([
      SessionAPI.config().catch(() => FALLBACK_CONFIG),
      SessionAPI.current().catch(() => null),
      settingsStore.load(),
    ]);
    this.config = config ?? FALLBACK_CONFIG;
    if (current) await this.#enter(current);
    else this.phase = 'login';
  }

  /** Logs in; rejects with the backend's message (shown by the login form). */
  async login(req: LoginRequest) {
    this.ended = false;
    // The softphone reports its registration while Login runs: listen before asking.
    phoneStore.listen();
    let user: SessionInfo | null;
    try {
      user = await SessionAPI.login({
        ...req,
        username: req.username.trim(),
        extension: req.extension.trim(),
        server: this.config.embedded ? '' : req.server.trim(),
      });
      if (!user) throw new Error('empty session');
    } catch (err) {
      phoneStore.stop();
      throw err;
    }
    await this.#enter(user);
  }

  async logout() {
    try {
      await SessionAPI.logout();
    } catch (err) {
      notices.push(t('error.action', { error: errorText(err) }));
    }
    this.#leave();
  }

  async setAvailable(on: boolean) {
    const user = this.user;
    if (!user) return;
    const before = this.available;
    this.#localAvailable = on;
    queueStore.setLocalAvailability(user.username, on);
    try {
      await PresenceAPI.setAvailable(on);
    } catch (err) {
      this.#localAvailable = before;
      queueStore.setLocalAvailability(user.username, before);
      notices.push(t('error.action', { error: errorText(err) }));
    }
  }

  async #enter(user: SessionInfo) {
    this.user = user;
    this.#localAvailable = true;
    settingsStore.onSaveError = (err) =>
      notices.push(t('settings.saveError', { error: errorText(err) }));
    await settingsStore.load();
    connectionStore.start();
    this.phase = 'main';
    void favoritesStore.load(user.username);
    void queueStore.start();
    if (user.telephony) void phoneStore.start();
    else phoneStore.stop();
  }

  #leave() {
    queueStore.stop();
    phoneStore.stop();
    directoryStore.reset();
    favoritesStore.reset();
    connectionStore.stop();
    notices.clear();
    settingsStore.reset();
    this.user = null;
    this.phase = 'login';
  }
}

export const session = new SessionStore();
