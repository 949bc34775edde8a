// Transport between the front-end and the Go services.
//
// Inside the Wails webview, `window.runtime` and `window.go` are injected by Wails:
// bound methods are `window.go.app.<Service>.<Method>(...args)` and events come through
// `window.runtime.EventsOn`. In a plain browser the same calls go over the HTTP/WebSocket
// bridge: POST /bridge/call and one WebSocket on /bridge/events.
//
// The choice is made at call time, so the module can be imported before Wails has injected
// its runtime.

export type EventCallback = (data: unknown) => void;

/** Local pseudo-event fired in browser mode when the bridge WebSocket opens or closes. */
export const BRIDGE_STATE_EVENT = 'bridge:state';
export interface BridgeState {
  connected: boolean;
}

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
}

type WailsServices = Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>;

export interface TransportWindow {
  runtime?: WailsRuntime;
  go?: Record<string, WailsServices>;
  location: { protocol: string; host: string; href: string };
  fetch: typeof fetch;
  WebSocket: typeof WebSocket;
  setTimeout: typeof setTimeout;
  clearTimeout: typeof clearTimeout;
}

export interface TransportOptions {
  /** Go package the services are bound from (window.go.<pkg>). */
  goPackage?: string;
  callPath?: string;
  eventsPath?: string;
  /** Reconnect delays: min and max in ms; doubles on every failed attempt. */
  backoffMin?: number;
  backoffMax?: number;
}

export interface Transport {
  call<T = unknown>(service: string, method: string, ...args: unknown[]): Promise<T>;
  on(name: string, cb: EventCallback): () => void;
  /** False once the browser bridge WebSocket failed or closed, until it reopens (always true in Wails). */
  readonly connected: boolean;
}

function toError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  if (typeof reason === 'string') return new Error(reason);
  if (reason && typeof reason === 'object' && 'error' in reason) {
    return new Error(String((reason as { error: unknown }).error));
  }
  return new Error(String(reason));
}

export function createTransport(win: TransportWindow, opts: TransportOptions = {}): Transport {
  const goPackage = opts.goPackage ?? 'app';
  const callPath = opts.callPath ?? '/bridge/call';
  const eventsPath = opts.eventsPath ?? '/bridge/events';
  const backoffMin = opts.backoffMin ?? 500;
  const backoffMax = opts.backoffMax ?? 10_000;

  const isWails = () => win.runtime !== undefined;

  // ---- calls ---------------------------------------------------------------

  async function callWails<T>(service: string, method: string, args: unknown[]): Promise<T> {
    const fn = win.go?.[goPackage]?.[service]?.[method];
    if (typeof fn !== 'function') {
      throw new Error(`${service}.${method} is not bound`);
    }
    try {
      return (await fn(...args)) as T;
    } catch (reason) {
      throw toError(reason);
    }
  }

  async function callBridge<T>(service: string, method: string, args: unknown[]): Promise<T> {
    let res: Response;
    try {
      res = await win.fetch(callPath, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ service, method, args }),
        credentials: 'same-origin',
      });
    } catch (reason) {
      throw new Error(`bridge unreachable: ${toError(reason).message}`);
    }
    const text = await res.text();
    let body: unknown = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) throw new Error(`${service}.${method}: invalid JSON response`);
        throw new Error(text.trim() || `${res.status} ${res.statusText}`);
      }
    }
    if (!res.ok) {
      if (body && typeof body === 'object' && 'error' in body) {
        throw new Error(String((body as { error: unknown }).error));
      }
      throw new Error(`${service}.${method}: ${res.status} ${res.statusText}`.trim());
    }
    return body as T;
  }

  function call<T = unknown>(service: string, method: string, ...args: unknown[]): Promise<T> {
    return isWails() ? callWails<T>(service, method, args) : callBridge<T>(service, method, args);
  }

  // ---- events --------------------------------------------------------------

  const subscribers = new Map<string, Set<EventCallback>>();
  let socket: WebSocket | null = null;
  let socketOpen: boolean | null = null; // null until the first open or failure
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let delay = backoffMin;

  function dispatch(name: string, data: unknown) {
    const set = subscribers.get(name);
    if (!set) return;
    for (const cb of [...set]) {
      try {
        cb(data);
      } catch (err) {
        console.error(`event handler for ${name} failed`, err);
      }
    }
  }

  function subscriberCount(): number {
    let n = 0;
    for (const set of subscribers.values()) n += set.size;
    return n;
  }

  function eventsURL(): string {
    const scheme = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${win.location.host}${eventsPath}`;
  }

  function setOpen(open: boolean) {
    if (socketOpen === open) return;
    socketOpen = open;
    dispatch(BRIDGE_STATE_EVENT, { connected: open } satisfies BridgeState);
  }

  function connect() {
    retryTimer = null;
    if (socket || subscriberCount() === 0) return;
    let ws: WebSocket;
    try {
      ws = new win.WebSocket(eventsURL());
    } catch (err) {
      console.error('bridge events: cannot open WebSocket', err);
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      delay = backoffMin;
      setOpen(true);
    };
    ws.onmessage = (ev: MessageEvent) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        console.error('bridge events: invalid message', ev.data);
        return;
      }
      if (msg && typeof msg === 'object' && typeof (msg as { name?: unknown }).name === 'string') {
        const { name, data } = msg as { name: string; data?: unknown };
        dispatch(name, data ?? null);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      setOpen(false);
      scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
  }

  function scheduleReconnect() {
    if (retryTimer !== null || subscriberCount() === 0) return;
    const wait = delay;
    delay = Math.min(delay * 2, backoffMax);
    retryTimer = win.setTimeout(connect, wait);
  }

  function disconnect() {
    if (retryTimer !== null) {
      win.clearTimeout(retryTimer);
      retryTimer = null;
    }
    const ws = socket;
    socket = null;
    socketOpen = null;
    delay = backoffMin;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  }

  function on(name: string, cb: EventCallback): () => void {
    if (isWails()) {
      // The bridge WebSocket does not exist in Wails: nothing to report for bridge:state.
      if (name === BRIDGE_STATE_EVENT) return () => {};
      const off = win.runtime!.EventsOn(name, (...data: unknown[]) => cb(data[0] ?? null));
      let done = false;
      return () => {
        if (done) return;
        done = true;
        off();
      };
    }

    let set = subscribers.get(name);
    if (!set) {
      set = new Set();
      subscribers.set(name, set);
    }
    // Wrap so the same function may subscribe twice and unsubscribe independently.
    const entry: EventCallback = (data) => cb(data);
    set.add(entry);
    if (!socket && retryTimer === null) connect();

    return () => {
      const s = subscribers.get(name);
      if (!s || !s.delete(entry)) return;
      if (s.size === 0) subscribers.delete(name);
      if (subscriberCount() === 0) disconnect();
    };
  }

  return {
    call,
    on,
    get connected() {
      return isWails() || socketOpen !== false;
    },
  };
}

const defaultTransport = createTransport(window as unknown as TransportWindow);

/** Calls a bound Go method: `Service.Method(...args)`. Rejects with an Error carrying the Go error text. */
export function call<T = unknown>(service: string, method: string, ...args: unknown[]): Promise<T> {
  return defaultTransport.call<T>(service, method, ...args);
}

/** False while the browser bridge WebSocket is known to be down. */
export function bridgeConnected(): boolean {
  return defaultTransport.connected;
}

/** Subscribes to a backend event; returns the unsubscribe function. */
export function on(name: string, cb: EventCallback): () => void {
  return defaultTransport.on(name, cb);
}

/** True inside the desktop window (Wails), false in a browser on the bridge. */
export function inDesktopWindow(): boolean {
  return (window as unknown as TransportWindow).runtime !== undefined;
}
