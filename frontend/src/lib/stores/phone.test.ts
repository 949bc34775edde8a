import { describe, expect, it, vi } from 'vitest';
import type { PhoneCall } from '../api/types';
import { isPhoneOff, PhoneStore } from './phone.svelte';

function pcall(id: string, extra: Partial<PhoneCall> = {}): PhoneCall {
  return {
    id,
    queueCall: '',
    name: 'Hélène Dubois',
    number: '+3225550100',
    state: 'ringing',
    autoAnswer: false,
    muted: false,
    since: '2025-11-25T10:00:00Z',
    ...extra,
  };
}

/** A store wired to a fake API and event bus. */
function setup(calls: () => Promise<PhoneCall[] | null> = async () => []) {
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  const on = (name: string, cb: (d: unknown) => void) => {
    if (!handlers.has(name)) handlers.set(name, new Set());
    handlers.get(name)!.add(cb);
    return () => handlers.get(name)!.delete(cb);
  };
  const emit = (name: string, data: unknown) => handlers.get(name)?.forEach((cb) => cb(data));
  const api = {
    calls: vi.fn(calls),
    hangup: vi.fn(async (_id: string) => null),
    mute: vi.fn(async (_on: boolean) => null),
  };
  const store = new PhoneStore({ api, on });
  const listeners = () => [...handlers.values()].reduce((n, s) => n + s.size, 0);
  return { store, api, emit, listeners };
}

const ids = (store: PhoneStore) => store.calls.map((c) => c.id);

describe('PhoneStore', () => {
  it('loads the calls on start, oldest first, without ended ones', async () => {
    const { store, api } = setup(async () => [
      pcall('b', { state: 'active', since: '2025-11-25T10:05:00Z' }),
      pcall('a', { since: '2025-11-25T10:01:00Z', name: null as unknown as string }),
      pcall('x', { state: 'ended' }),
    ]);
    await store.start();
    expect(api.calls).toHaveBeenCalledTimes(1);
    expect(ids(store)).toEqual(['a', 'b']);
    expect(store.calls[0].name).toBe('');
    expect(store.state).toBe('off'); // nothing reported yet
  });

  it('after a reload, takes the registration state from Phone.State', async () => {
    const { store } = setup();
    const withState = new PhoneStore({
      api: { calls: async () => [], hangup: async () => null, mute: async () => null, state: async () => ({ state: 'registered' as const }) },
      on: () => () => {},
    });
    await withState.start();
    expect(withState.state).toBe('registered');
    await store.start();
    expect(store.state).toBe('off'); // no State method: stays off until an event
  });

  it('treats a null list as empty', async () => {
    const { store } = setup(async () => null);
    await store.start();
    expect(store.calls).toEqual([]);
    expect(store.error).toBe('');
  });

  it('applies phone:call events: new, changed, ended (removed at once)', async () => {
    const { store, emit } = setup();
    await store.start();
    emit('phone:call', pcall('a', { queueCall: 'q-1' }));
    emit('phone:call', pcall('b'));
    expect(ids(store)).toEqual(['a', 'b']);
    expect(store.forQueueCall('q-1')?.id).toBe('a');

    emit('phone:call', pcall('a', { queueCall: 'q-1', state: 'active', since: '2025-11-25T10:02:00Z' }));
    expect(store.find('a')?.state).toBe('active');
    expect(ids(store)).toEqual(['a', 'b']); // keeps its place

    emit('phone:call', pcall('a', { state: 'ended' }));
    expect(ids(store)).toEqual(['b']);
    expect(store.forQueueCall('q-1')).toBeUndefined();
    emit('phone:call', pcall('zzz', { state: 'ended' })); // unknown ended call: nothing to do
    emit('phone:call', null);
    expect(ids(store)).toEqual(['b']);
  });

  it('lets events that arrive during the load win over the list', async () => {
    let resolve!: (v: PhoneCall[]) => void;
    const { store, emit } = setup(() => new Promise((r) => (resolve = r)));
    const started = store.start();
    emit('phone:call', pcall('a', { state: 'active' })); // newer than the list's "ringing"
    emit('phone:call', pcall('b', { state: 'ended' })); // ended while loading
    resolve([pcall('a'), pcall('b'), pcall('c', { since: '2025-11-25T09:00:00Z' })]);
    await started;
    expect(ids(store)).toEqual(['c', 'a']);
    expect(store.find('a')?.state).toBe('active');
  });

  it('follows phone:state, with the error; "off" clears the calls', async () => {
    const { store, emit } = setup(async () => [pcall('a')]);
    await store.start();
    emit('phone:state', { state: 'registering' });
    expect(store.state).toBe('registering');
    emit('phone:state', { state: 'registered' });
    expect(store.state).toBe('registered');
    expect(store.error).toBe('');
    emit('phone:state', { state: 'unreachable', error: 'no answer from 10.0.0.1:5060' });
    expect(store.state).toBe('unreachable');
    expect(store.error).toBe('no answer from 10.0.0.1:5060');
    emit('phone:state', { state: 'bogus' });
    expect(store.state).toBe('unreachable');
    emit('phone:state', { state: 'off' });
    expect(store.state).toBe('off');
    expect(store.error).toBe('');
    expect(store.calls).toEqual([]);
  });

  it('listens before start (login), so the state reported during the login is kept', async () => {
    const { store, emit, api } = setup();
    store.listen();
    store.listen(); // idempotent
    emit('phone:state', { state: 'failed', error: 'softphone: bad credentials' });
    await store.start();
    expect(api.calls).toHaveBeenCalledTimes(1);
    expect(store.state).toBe('failed');
    expect(store.error).toBe('softphone: bad credentials');
  });

  it('handles "the built-in softphone is off" on load as state off', async () => {
    const { store } = setup(async () => {
      throw new Error('the built-in softphone is off');
    });
    await store.start();
    expect(store.state).toBe('off');
    expect(store.error).toBe('');
    expect(store.calls).toEqual([]);
  });

  it('keeps another load error in error', async () => {
    const { store } = setup(async () => {
      throw new Error('bridge unreachable: boom');
    });
    await expect(store.start()).resolves.toBeUndefined();
    expect(store.error).toBe('bridge unreachable: boom');
  });

  it('mutes and unmutes: calls Phone.Mute and reflects it at once', async () => {
    const { store, api, emit } = setup(async () => [pcall('a', { state: 'active' })]);
    await store.start();
    await store.mute(true);
    expect(api.mute).toHaveBeenCalledWith(true);
    expect(store.find('a')?.muted).toBe(true);
    emit('phone:call', pcall('a', { state: 'active', muted: true })); // the confirmation
    expect(store.find('a')?.muted).toBe(true);
    await store.mute(false);
    expect(api.mute).toHaveBeenLastCalledWith(false);
    expect(store.find('a')?.muted).toBe(false);
  });

  it('hangs up; the ended event removes the call', async () => {
    const { store, api, emit } = setup(async () => [pcall('a', { state: 'active' })]);
    await store.start();
    await store.hangup('a');
    expect(api.hangup).toHaveBeenCalledWith('a');
    expect(ids(store)).toEqual(['a']);
    emit('phone:call', pcall('a', { state: 'ended' }));
    expect(ids(store)).toEqual([]);
  });

  it('rethrows action errors; "softphone is off" also turns the state off', async () => {
    const { store, api, emit } = setup(async () => [pcall('a', { state: 'active' })]);
    await store.start();
    emit('phone:state', { state: 'registered' });
    api.mute.mockRejectedValueOnce(new Error('mute failed'));
    await expect(store.mute(true)).rejects.toThrow('mute failed');
    expect(store.find('a')?.muted).toBe(false);
    expect(store.state).toBe('registered');

    api.hangup.mockRejectedValueOnce(new Error('the built-in softphone is off'));
    await expect(store.hangup('a')).rejects.toThrow('softphone is off');
    expect(store.state).toBe('off');
    expect(store.calls).toEqual([]);
  });

  it('stop unsubscribes, forgets everything and drops a load in flight', async () => {
    let resolve!: (v: PhoneCall[]) => void;
    const { store, emit, listeners } = setup(() => new Promise((r) => (resolve = r)));
    const started = store.start();
    emit('phone:state', { state: 'registered' });
    expect(listeners()).toBe(2);
    store.stop();
    expect(listeners()).toBe(0);
    resolve([pcall('a')]);
    await started;
    expect(store.calls).toEqual([]);
    expect(store.state).toBe('off');
    emit('phone:call', pcall('b'));
    expect(store.calls).toEqual([]);
  });

  it('recognises the off error', () => {
    expect(isPhoneOff(new Error('the built-in softphone is off'))).toBe(true);
    expect(isPhoneOff('the built-in softphone is off')).toBe(true);
    expect(isPhoneOff(new Error('other'))).toBe(false);
  });

  it('tracks held calls by switchboard id (W10); forgets them when the call ends, on reload and on stop', async () => {
    let list: PhoneCall[] = [pcall('a', { queueCall: 'q-a', state: 'active' }), pcall('b', { queueCall: 'q-b', state: 'active' })];
    const { store } = setup(async () => list);
    await store.start();
    store.setHeld('q-a', true);
    store.setHeld('q-b', true);
    store.setHeld('', true);
    expect(store.isHeld('q-a')).toBe(true);
    expect(store.isHeld('')).toBe(false);
    store.setHeld('q-b', false);
    expect(store.isHeld('q-b')).toBe(false);

    store.handleCall(pcall('a', { queueCall: 'q-a', state: 'ended' }));
    expect(store.isHeld('q-a')).toBe(false);

    store.setHeld('q-b', true);
    list = [];
    await store.load();
    expect(store.isHeld('q-b')).toBe(false);

    store.handleCall(pcall('c', { queueCall: 'q-c', state: 'active' }));
    store.setHeld('q-c', true);
    store.stop();
    expect(store.held.size).toBe(0);
  });
});
