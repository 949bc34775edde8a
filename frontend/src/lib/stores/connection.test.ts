import { describe, expect, it, vi } from 'vitest';
import type { EventCallback } from '../api/transport';
import { Events } from '../api/types';
import { ConnectionStore } from './connection.svelte';

function setup() {
  const handlers = new Map<string, EventCallback>();
  const on = (name: string, cb: EventCallback) => {
    handlers.set(name, cb);
    return () => handlers.delete(name);
  };
  const store = new ConnectionStore(on, () => true);
  const back = vi.fn();
  store.start();
  store.onReconnected = back;
  const push = (state: string, error = '') => handlers.get(Events.connection)?.({ state, error });
  return { store, back, push };
}

describe('ConnectionStore', () => {
  it('tells onReconnected once when the switchboard is back after an outage, not while connected', () => {
    const { store, back, push } = setup();
    push('connected');
    expect(back).not.toHaveBeenCalled();
    push('reconnecting', 'dial tcp: refused');
    expect(store.problem).toEqual({ kind: 'reconnecting', detail: 'dial tcp: refused' });
    push('offline');
    push('connected');
    expect(back).toHaveBeenCalledTimes(1);
    expect(store.problem).toBeNull();
    push('connected');
    expect(back).toHaveBeenCalledTimes(1);
  });

  it('counts a state asked for at start (set) as an outage too, and forgets the callback on stop', () => {
    const { store, back, push } = setup();
    store.set({ state: 'offline', error: '' });
    push('connected');
    expect(back).toHaveBeenCalledTimes(1);
    store.stop();
    expect(store.onReconnected).toBeNull();
  });
});
