// Session lifecycle: boot (config + current session), login, logout, session end, and my
// own availability (L4).

import { PresenceAPI } from '../api/presence';
import { SessionAPI } from '../api/session';
import { on } from '../api/transport';
import {
  Events,
  type LoginRequest,
  type SessionConfig,
  type SessionInfo,
} from '../api/types';
import { connectionStore } from './connection.svelte';
import { directoryStore } from './directory.svelte';
import { favoritesStore } from './favorites.svelte';
import { errorText, notices } from './notices.svelte';
import { phoneStore } from './phone.svelte';
import { presenceStore } from './presence.svelte';
import { statsStore } from './stats.svelte';
import { calendarStore } from './calendar.svelte';
import { callbacksStore } from './callbacks.svelte';
import { queueStore } from './queue.svelte';
import { settingsStore } from './settings.svelte';
import { t } from '../i18n/index.svelte';

export type Phase = 'booting' | 'login' | 'main';

const FALLBACK_CONFIG: SessionConfig = { embedded: false, server: '', version: '', keyring: false };

export class SessionStore {
  phase = $state<Phase>('booting');
  config = $state<SessionConfig>(FALLBACK_CONFIG);
  user = $state<SessionInfo | null>(null);
  /** Set when the switchboard ended the session (session:ended), shown on the login window. */
  ended = $state(false);
  #localAvailable = $state(true);
  #offEnded: (() => void) | null = null;
  #favoritesLoaded: Promise<void> = Promise.resolve();

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
    const marks: Record<string, number> = { script: performance.now() };
    const [config, current] = await Promise.all([
      SessionAPI.config().catch(() => FALLBACK_CONFIG),
      SessionAPI.current().catch(() => null),
      settingsStore.load(),
    ]);
    this.config = config ?? FALLBACK_CONFIG;
    // Remembered credentials open the session from the local cache at once.
    marks.config = performance.now();
    const user = current ?? (await SessionAPI.restore().catch(() => null));
    marks.session = performance.now();
    if (user) {
      await this.#enter(user);
      marks.entered = performance.now();
      await this.#favoritesLoaded;
      marks.favorites = performance.now();
    } else this.phase = 'login';
    afterPaint((frame) => {
      marks.frame = frame;
      marks.painted = performance.now();
      void SessionAPI.ready(this.phase === 'main' ? 'main' : 'login', { ...webKitTimings(), ...marks }).catch(
        () => undefined,
      );
    });
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
    // Asked for together with the settings: the first screen then shows the favorites at once.
    this.#favoritesLoaded = favoritesStore.load(user.username).catch(() => undefined);
    await settingsStore.load();
    connectionStore.start();
    // Back online after an outage, what was shown from the local cache is fetched again.
    connectionStore.onReconnected = () => {
      void favoritesStore.load(user.username);
      void settingsStore.load();
      presenceStore.refresh();
      void calendarStore.refresh();
    };
    // The state may have changed before the banner listened (a session opened offline).
    void SessionAPI.connection()
      .then((s) => s && connectionStore.set(s))
      .catch(() => undefined);
    this.phase = 'main';
    presenceStore.start();
    void queueStore.start();
    void callbacksStore.start();
    if (user.telephony) void phoneStore.start();
    else phoneStore.stop();
  }

  #leave() {
    queueStore.stop();
    statsStore.stop();
    phoneStore.stop();
    presenceStore.stop();
    calendarStore.stop();
    callbacksStore.stop();
    directoryStore.reset();
    favoritesStore.reset();
    connectionStore.stop();
    notices.clear();
    settingsStore.reset();
    this.user = null;
    this.phase = 'login';
  }
}

/** Runs f once the browser has painted the current state, with the time its frame began. */
function afterPaint(f: (frame: number) => void) {
  if (typeof requestAnimationFrame !== 'function') return f(performance.now());
  requestAnimationFrame(() => {
    const frame = performance.now();
    setTimeout(() => f(frame), 0);
  });
}

/** The engine's own timings of the page load (ms since navigation), for the start-up log. */
function webKitTimings(): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof performance.getEntriesByType !== 'function') return out;
  const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  if (nav) {
    out.html = nav.responseEnd;
    out.domInteractive = nav.domInteractive;
    out.domContentLoaded = nav.domContentLoadedEventEnd;
  }
  for (const m of performance.getEntriesByType('mark')) out[m.name] = m.startTime;
  for (const p of performance.getEntriesByType('paint')) out[p.name === 'first-paint' ? 'firstPaint' : 'fcp'] = p.startTime;
  return out;
}

export const session = new SessionStore();
