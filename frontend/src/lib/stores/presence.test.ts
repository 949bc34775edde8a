import { describe, expect, it, vi } from 'vitest';
import { PRESENCE_EVENT, type ContactPresence } from '../api/presence';
import type { EventCallback } from '../api/transport';
import { PresenceStore } from './presence.svelte';

function setup() {
  const handlers = new Map<string, EventCallback>();
  const on = vi.fn((name: string, cb: EventCallback) => {
    handlers.set(name, cb);
    return () => handlers.delete(name);
  });
  const get = vi.fn(async (ids: string[]): Promise<ContactPresence[] | null> =>
    ids.filter((id) => !id.startsWith('private')).map((id) => ({ id, state: 'available' as const })),
  );
  const store = new PresenceStore({ api: { get }, on, delay: 5 });
  const push = (ps: ContactPresence[]) => handlers.get(PRESENCE_EVENT)?.(ps);
  return { store, get, on, push, handlers };
}

const later = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('PresenceStore', () => {
  it('gathers the asks of one render into one request, once per id', async () => {
    const { store, get } = setup();
    store.want('a', 'b');
    store.want('b', 'c');
    expect(store.of('a')).toBeUndefined(); // unknown until the answer: results are not held up
    await later();
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(['a', 'b', 'c']);
    expect(store.of('c')?.state).toBe('available');
    store.want('a', 'c');
    await later();
    expect(get).toHaveBeenCalledTimes(1); // already known: pushed changes keep it current
  });

  it('applies pushed changes once started, and nothing after stop', async () => {
    const { store, push, handlers } = setup();
    store.start();
    push([{ id: 'a', state: 'busy', source: 'blf' }]);
    expect(store.of('a')?.state).toBe('busy');
    push([{ id: 'a', state: 'busy', stale: true, updated: '2026-11-25T09:00:00Z' }]);
    expect(store.of('a')?.stale).toBe(true);
    store.stop();
    expect(handlers.size).toBe(0);
    expect(store.of('a')).toBeUndefined();
  });

  it('leaves out what the server does not answer (private contacts of others stay unknown)', async () => {
    const { store } = setup();
    store.want('private-1', 'a');
    await store.flush();
    expect(store.of('private-1')).toBeUndefined();
    expect(store.of('a')?.state).toBe('available');
  });

  it('asks again after a failure and after a reconnect', async () => {
    const { store, get } = setup();
    get.mockRejectedValueOnce(new Error('switchboard unreachable'));
    store.want('a');
    await store.flush();
    expect(store.of('a')).toBeUndefined();
    store.want('a'); // shown again: asked again
    await store.flush();
    expect(store.of('a')?.state).toBe('available');
    expect(get).toHaveBeenCalledTimes(2);
    store.refresh();
    await store.flush();
    expect(get).toHaveBeenCalledTimes(3);
    expect(get).toHaveBeenLastCalledWith(['a']);
  });

  it('drops an answer that arrives after logout', async () => {
    const { store, get } = setup();
    let answer!: (v: ContactPresence[]) => void;
    get.mockImplementationOnce(() => new Promise((r) => (answer = r)));
    store.want('a');
    const flushing = store.flush();
    store.stop();
    answer([{ id: 'a', state: 'busy' }]);
    await flushing;
    expect(store.of('a')).toBeUndefined();
  });

  it('splits large asks into batches the switchboard accepts', async () => {
    const { store, get } = setup();
    store.want(...Array.from({ length: 1201 }, (_, i) => `c${i}`));
    await store.flush();
    expect(get.mock.calls.map((c) => c[0].length)).toEqual([500, 500, 201]);
  });
});
