import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_STATE_EVENT, createTransport, type TransportWindow } from './transport';

class FakeSocket {
  static instances: FakeSocket[] = [];
  url: string;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  closed = false;
  constructor(url: string) {
    this.url = url;
    FakeSocket.instances.push(this);
  }
  close() {
    this.closed = true;
  }
  // test helpers
  open() {
    this.onopen?.();
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  drop() {
    this.onclose?.();
  }
}

function jsonResponse(status: number, body: unknown) {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function browserWindow(fetchImpl: typeof fetch, protocol = 'http:'): TransportWindow {
  return {
    location: { protocol, host: 'console.test:8080', href: `${protocol}//console.test:8080/` },
    fetch: fetchImpl,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    setTimeout: ((fn: () => void, ms: number) => setTimeout(fn, ms)) as typeof setTimeout,
    clearTimeout: ((id: ReturnType<typeof setTimeout>) => clearTimeout(id)) as typeof clearTimeout,
  };
}

beforeEach(() => {
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('transport: browser bridge calls', () => {
  it('POSTs service, method and args as JSON and returns the result', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { username: 'sophie' }));
    const tr = createTransport(browserWindow(fetchMock as unknown as typeof fetch));

    const res = await tr.call<{ username: string }>('Session', 'Login', { username: 'sophie' });

    expect(res).toEqual({ username: 'sophie' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/bridge/call');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({
      service: 'Session',
      method: 'Login',
      args: [{ username: 'sophie' }],
    });
  });

  it('returns null for a null or empty body', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(200, null))
      .mockResolvedValueOnce(new Response(null, { status: 204 }));
    const tr = createTransport(browserWindow(fetchMock));
    await expect(tr.call('Session', 'Logout')).resolves.toBeNull();
    await expect(tr.call('Session', 'Logout')).resolves.toBeNull();
  });

  it('throws an Error with the bridge error message on non-2xx', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(401, { error: 'invalid username or password' }));
    const tr = createTransport(browserWindow(fetchMock as unknown as typeof fetch));
    await expect(tr.call('Session', 'Login', {})).rejects.toThrow('invalid username or password');
  });

  it('throws a readable Error when the body is not JSON', async () => {
    const fetchMock = vi.fn(async () => new Response('bad gateway', { status: 502 }));
    const tr = createTransport(browserWindow(fetchMock as unknown as typeof fetch));
    await expect(tr.call('Queue', 'Snapshot')).rejects.toThrow('bad gateway');
  });

  it('wraps network failures', async () => {
    const fetchMock = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const tr = createTransport(browserWindow(fetchMock as unknown as typeof fetch));
    await expect(tr.call('Queue', 'Snapshot')).rejects.toThrow(/Failed to fetch/);
  });
});

describe('transport: browser bridge events', () => {
  it('opens one WebSocket (ws/wss per page) and fans out messages by name', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const tr = createTransport(browserWindow(vi.fn(), 'https:'));
    const a = vi.fn();
    const b = vi.fn();
    const other = vi.fn();
    tr.on('queue:event', a);
    tr.on('queue:event', b);
    tr.on('connection:state', other);

    expect(FakeSocket.instances).toHaveLength(1);
    const ws = FakeSocket.instances[0];
    expect(ws.url).toBe('wss://console.test:8080/bridge/events');

    ws.open();
    ws.receive({ name: 'queue:event', data: { seq: 1 } });
    expect(a).toHaveBeenCalledWith({ seq: 1 });
    expect(b).toHaveBeenCalledWith({ seq: 1 });
    expect(other).not.toHaveBeenCalled();

    ws.receive('not json'); // ignored, no throw
    ws.receive({ name: 'connection:state', data: { state: 'offline' } });
    expect(other).toHaveBeenCalledWith({ state: 'offline' });
  });

  it('uses ws: on http pages', () => {
    const tr = createTransport(browserWindow(vi.fn(), 'http:'));
    tr.on('x', () => {});
    expect(FakeSocket.instances[0].url).toBe('ws://console.test:8080/bridge/events');
  });

  it('unsubscribes, and closes the socket when nobody listens', () => {
    const tr = createTransport(browserWindow(vi.fn()));
    const cb = vi.fn();
    const off1 = tr.on('queue:event', cb);
    const off2 = tr.on('session:ended', () => {});
    const ws = FakeSocket.instances[0];
    ws.open();
    off1();
    off1(); // idempotent
    ws.receive({ name: 'queue:event', data: 1 });
    expect(cb).not.toHaveBeenCalled();
    expect(ws.closed).toBe(false);
    off2();
    expect(ws.closed).toBe(true);
  });

  it('isolates a throwing subscriber', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const tr = createTransport(browserWindow(vi.fn()));
    const good = vi.fn();
    tr.on('e', () => {
      throw new Error('boom');
    });
    tr.on('e', good);
    FakeSocket.instances[0].receive({ name: 'e', data: 2 });
    expect(good).toHaveBeenCalledWith(2);
    expect(err).toHaveBeenCalled();
  });

  it('reconnects with exponential backoff and reports bridge state', () => {
    vi.useFakeTimers();
    const tr = createTransport(browserWindow(vi.fn()), { backoffMin: 100, backoffMax: 400 });
    const states: boolean[] = [];
    tr.on(BRIDGE_STATE_EVENT, (d) => states.push((d as { connected: boolean }).connected));

    const first = FakeSocket.instances[0];
    first.open();
    expect(tr.connected).toBe(true);
    first.drop();
    expect(tr.connected).toBe(false);
    expect(states).toEqual([true, false]);

    // 1st retry after 100 ms, fails; 2nd after 200; 3rd after 400; then capped at 400.
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.instances[1].drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.instances[2].drop();
    vi.advanceTimersByTime(400);
    expect(FakeSocket.instances).toHaveLength(4);
    FakeSocket.instances[3].drop();
    vi.advanceTimersByTime(400);
    expect(FakeSocket.instances).toHaveLength(5);

    // A successful open resets the backoff and reports connected again.
    FakeSocket.instances[4].open();
    expect(states).toEqual([true, false, true]);
    FakeSocket.instances[4].drop();
    vi.advanceTimersByTime(100);
    expect(FakeSocket.instances).toHaveLength(6);
  });
});

describe('transport: Wails', () => {
  it('calls window.go.app.<Service>.<Method> and wraps string rejections', async () => {
    const login = vi.fn(async (req: unknown) => ({ username: (req as { username: string }).username }));
    const snapshot = vi.fn(() => Promise.reject('switchboard unreachable: timeout'));
    const win = {
      ...browserWindow(vi.fn()),
      runtime: { EventsOn: vi.fn(() => () => {}) },
      go: { app: { Session: { Login: login }, Queue: { Snapshot: snapshot } } },
    } as unknown as TransportWindow;
    const tr = createTransport(win);

    await expect(tr.call('Session', 'Login', { username: 'sophie' })).resolves.toEqual({ username: 'sophie' });
    expect(login).toHaveBeenCalledWith({ username: 'sophie' });
    const err = await tr.call('Queue', 'Snapshot').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('switchboard unreachable: timeout');
    await expect(tr.call('Nope', 'Missing')).rejects.toThrow('Nope.Missing is not bound');
  });

  it('subscribes through runtime.EventsOn and returns its unsubscribe', () => {
    const off = vi.fn();
    let handler: ((...d: unknown[]) => void) | undefined;
    const win = {
      ...browserWindow(vi.fn()),
      runtime: {
        EventsOn: vi.fn((_: string, cb: (...d: unknown[]) => void) => {
          handler = cb;
          return off;
        }),
      },
      go: {},
    } as unknown as TransportWindow;
    const tr = createTransport(win);
    const cb = vi.fn();
    const unsubscribe = tr.on('queue:event', cb);
    handler!({ seq: 3 });
    expect(cb).toHaveBeenCalledWith({ seq: 3 });
    unsubscribe();
    unsubscribe();
    expect(off).toHaveBeenCalledTimes(1);
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('decides per call: Wails once window.runtime appears', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, 'bridge'));
    const win = browserWindow(fetchMock as unknown as typeof fetch) as TransportWindow;
    const tr = createTransport(win);
    await expect(tr.call('S', 'M')).resolves.toBe('bridge');
    win.runtime = { EventsOn: () => () => {} };
    win.go = { app: { S: { M: async () => 'wails' } } };
    await expect(tr.call('S', 'M')).resolves.toBe('wails');
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
