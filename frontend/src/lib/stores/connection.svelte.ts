// Connection health for the banner (L7): the switchboard connection as reported by the Go
// side (`connection:state`) and, in a browser, the bridge WebSocket itself.

import {
  BRIDGE_STATE_EVENT,
  bridgeConnected,
  on as transportOn,
  type EventCallback,
} from '../api/transport';
import { Events, type ConnectionState, type ConnectionStateName } from '../api/types';

export class ConnectionStore {
  server = $state<ConnectionStateName>('connected');
  serverError = $state('');
  bridge = $state(true);
  /** Told when the switchboard is connected again after an outage: what is shown may be stale. */
  onReconnected: (() => void) | null = null;

  /** What the banner should say, or null when everything is fine. */
  problem = $derived.by((): { kind: 'bridge' | 'reconnecting' | 'offline'; detail: string } | null => {
    if (!this.bridge) return { kind: 'bridge', detail: '' };
    if (this.server === 'reconnecting') return { kind: 'reconnecting', detail: this.serverError };
    if (this.server === 'offline') return { kind: 'offline', detail: this.serverError };
    return null;
  });

  #off: (() => void)[] = [];
  #on: (name: string, cb: EventCallback) => () => void;
  #bridgeConnected: () => boolean;

  constructor(on = transportOn, isBridgeConnected = bridgeConnected) {
    this.#on = on;
    this.#bridgeConnected = isBridgeConnected;
  }

  start() {
    if (this.#off.length) return;
    this.bridge = this.#bridgeConnected();
    this.#off = [
      this.#on(Events.connection, (data) => {
        const s = data as ConnectionState | null;
        if (s) this.set(s);
      }),
      this.#on(BRIDGE_STATE_EVENT, (data) => {
        this.bridge = Boolean((data as { connected?: boolean } | null)?.connected);
      }),
    ];
  }

  /** Sets the switchboard state, e.g. as asked for when the banner starts. */
  set(s: ConnectionState) {
    const back = s.state === 'connected' && this.server !== 'connected';
    this.server = s.state;
    this.serverError = s.error ?? '';
    if (back) this.onReconnected?.();
  }

  stop() {
    for (const off of this.#off) off();
    this.#off = [];
    this.onReconnected = null;
    this.server = 'connected';
    this.serverError = '';
    this.bridge = true;
  }
}

export const connectionStore = new ConnectionStore();
