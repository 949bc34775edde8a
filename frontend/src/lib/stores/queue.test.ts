import { describe, expect, it, vi } from 'vitest';
import type { Attendant, Call, QueueEvent, QueueSnapshot } from '../api/types';
import { QueueStore } from './queue.svelte';

function call(id: string, extra: Partial<Call> = {}): Call {
  return {
    id,
    queueId: 'q1',
    callerNumber: '+3225550100',
    callerName: '',
    enteredAt: '2025-11-25T10:00:00Z',
    priority: 0,
    vip: false,
    note: '',
    offeredTo: '',
    recall: false,
    reservedBy: '',
    rejectedBy: [],
    ...extra,
  };
}

function attendant(username: string, extra: Partial<Attendant> = {}): Attendant {
  return { username, name: username, extension: '', queues: ['q1'], available: true, onCall: false, idleSince: '', ...extra };
}

function snap(seq: number, calls: Call[], attendants: Attendant[] = []): QueueSnapshot {
  return {
    seq,
    queues: [
      { id: 'q1', name: 'Reception', priority: 1, calls: calls.filter((c) => c.queueId === 'q1') },
      { id: 'q2', name: 'Support', priority: 0, calls: calls.filter((c) => c.queueId === 'q2') },
    ],
    attendants,
  };
}

/** A store wired to fake API and event bus. */
function setup(...snapshots: QueueSnapshot[]) {
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  const on = (name: string, cb: (d: unknown) => void) => {
    if (!handlers.has(name)) handlers.set(name, new Set());
    handlers.get(name)!.add(cb);
    return () => handlers.get(name)!.delete(cb);
  };
  const emit = (name: string, data: unknown) => handlers.get(name)?.forEach((cb) => cb(data));
  const queue = [...snapshots];
  const snapshot = vi.fn(async () => {
    const s = queue.length > 1 ? queue.shift()! : queue[0];
    return structuredClone(s);
  });
  const api = {
    snapshot,
    pickup: vi.fn(async () => null),
    reserve: vi.fn(async () => null),
    answer: vi.fn(async () => null),
    reject: vi.fn(async () => null),
    setNote: vi.fn(async () => null),
  };
  const store = new QueueStore({ api, on, retryDelay: () => 10 });
  const event = (ev: Partial<QueueEvent> & { seq: number; type: QueueEvent['type'] }) =>
    emit('queue:event', { time: '2025-11-25T10:00:00Z', ...ev });
  return { store, api, snapshot, emit, event, handlers };
}

const ids = (store: QueueStore, q = 0) => (store.queues[q].calls ?? []).map((c) => c.id);

describe('QueueStore snapshot', () => {
  it('loads the snapshot on start and counts waiting calls', async () => {
    const { store, snapshot } = setup(snap(5, [call('a'), call('b'), call('c', { queueId: 'q2' })], [attendant('sophie')]));
    expect(store.status).toBe('idle');
    await store.start();
    expect(snapshot).toHaveBeenCalledTimes(1);
    expect(store.status).toBe('ready');
    expect(store.seq).toBe(5);
    expect(ids(store)).toEqual(['a', 'b']);
    expect(ids(store, 1)).toEqual(['c']);
    expect(store.waiting).toBe(3);
    expect(store.attendant('sophie')?.available).toBe(true);
  });

  it('normalizes null slices from Go', async () => {
    const { store } = setup({
      seq: 1,
      queues: [{ id: 'q1', name: 'R', priority: 0, calls: null }],
      attendants: null,
    });
    await store.start();
    expect(store.queues[0].calls).toEqual([]);
    expect(store.attendants).toEqual([]);
    expect(store.waiting).toBe(0);
  });

  it('reports a failed first snapshot and retries', async () => {
    const { store, snapshot } = setup(snap(1, [call('a')]));
    snapshot.mockRejectedValueOnce(new Error('switchboard unreachable: refused'));
    await store.start();
    expect(store.status).toBe('error');
    expect(store.error).toBe('switchboard unreachable: refused');
    await vi.waitFor(() => expect(store.status).toBe('ready'));
    expect(ids(store)).toEqual(['a']);
    store.stop();
  });
});

describe('QueueStore deltas', () => {
  it('applies events in seq order', async () => {
    const { store, event } = setup(snap(10, [call('a')], [attendant('marc')]));
    await store.start();

    event({ seq: 11, type: 'call.queued', call: call('b', { enteredAt: '2025-11-25T10:01:00Z' }) });
    expect(ids(store)).toEqual(['a', 'b']);
    expect(store.waiting).toBe(2);

    event({ seq: 12, type: 'call.offered', call: call('a', { offeredTo: 'marc' }) });
    expect(store.findCall('a')?.offeredTo).toBe('marc');
    expect(store.offeredTo('marc').map((c) => c.id)).toEqual(['a']);

    event({ seq: 13, type: 'call.updated', call: call('b', { note: 'for accounting' }) });
    expect(store.findCall('b')?.note).toBe('for accounting');
    expect(ids(store)).toEqual(['a', 'b']); // position kept

    event({ seq: 14, type: 'call.taken', call: call('a'), by: 'marc', attendant: attendant('marc', { onCall: true }) });
    expect(ids(store)).toEqual(['b']);
    expect(store.attendant('marc')?.onCall).toBe(true); // the taker is now on a call

    event({ seq: 15, type: 'call.abandoned', call: call('b') });
    expect(ids(store)).toEqual([]);
    expect(store.waiting).toBe(0);

    event({ seq: 16, type: 'attendant.updated', attendant: attendant('marc', { available: false }) });
    event({ seq: 17, type: 'attendant.updated', attendant: attendant('lena') });
    expect(store.attendant('marc')?.available).toBe(false);
    expect(store.attendants.map((a) => a.username)).toEqual(['marc', 'lena']);

    event({ seq: 18, type: 'attendant.left', attendant: attendant('marc') });
    expect(store.attendants.map((a) => a.username)).toEqual(['lena']);
    expect(store.seq).toBe(18);
  });

  it('ignores events already in the snapshot (seq <= current)', async () => {
    const { store, event, snapshot } = setup(snap(10, [call('a')]));
    await store.start();
    event({ seq: 9, type: 'call.taken', call: call('a') });
    event({ seq: 10, type: 'call.taken', call: call('a') });
    expect(ids(store)).toEqual(['a']);
    expect(snapshot).toHaveBeenCalledTimes(1);
  });

  it('places calls where the switchboard says, without guessing its rules', async () => {
    const { store, event } = setup(
      snap(1, [
        call('vip', { vip: true, enteredAt: '2025-11-25T10:05:00Z' }),
        call('p1', { priority: 1, enteredAt: '2025-11-25T10:00:00Z' }),
        call('old', { enteredAt: '2025-11-25T09:59:00Z' }),
      ]),
    );
    await store.start();
    event({ seq: 2, type: 'call.queued', call: call('mid', { enteredAt: '2025-11-25T10:01:00Z' }), after: 'old' });
    event({ seq: 3, type: 'call.queued', call: call('vip2', { vip: true, enteredAt: '2025-11-25T10:06:00Z' }), after: 'vip' });
    // A recall the engine puts first although it is the youngest and not VIP: a local copy of
    // the ordering (VIP, priority, age) would have put it last.
    event({
      seq: 4,
      type: 'call.queued',
      reason: 'recall',
      call: call('recall', { recall: true, reservedBy: 'marc', enteredAt: '2025-11-25T10:07:00Z' }),
      after: '',
    });
    expect(ids(store)).toEqual(['recall', 'vip', 'vip2', 'p1', 'old', 'mid']);
    // An update moves the call where it now stands (e.g. a reservation made it go first).
    event({ seq: 5, type: 'call.updated', reason: 'reserved', call: call('mid', { reservedBy: 'marc' }), after: 'recall' });
    expect(ids(store)).toEqual(['recall', 'mid', 'vip', 'vip2', 'p1', 'old']);
    // Without a place (an older switchboard) a known call keeps its place and a new one goes last.
    event({ seq: 6, type: 'call.updated', call: call('vip', { vip: true, note: 'x' }) });
    event({ seq: 7, type: 'call.queued', call: call('late', { vip: true }) });
    expect(ids(store)).toEqual(['recall', 'mid', 'vip', 'vip2', 'p1', 'old', 'late']);
    expect(store.findCall('vip')?.note).toBe('x');
    expect(store.waiting).toBe(7);
  });

  it('moves a call that changes queue and ignores queues not handled', async () => {
    const { store, event } = setup(snap(1, [call('a')]));
    await store.start();
    event({ seq: 2, type: 'call.updated', call: call('a', { queueId: 'q2' }) });
    expect(ids(store)).toEqual([]);
    expect(ids(store, 1)).toEqual(['a']);
    event({ seq: 3, type: 'call.queued', call: call('x', { queueId: 'elsewhere' }) });
    expect(store.waiting).toBe(1);
    expect(store.seq).toBe(3);
  });
});

describe('QueueStore queue config and pushed snapshots', () => {
  it('adds and renames queues on queue.updated', async () => {
    const { store, event } = setup(snap(1, [call('a')]));
    await store.start();
    event({ seq: 2, type: 'queue.updated', queue: { id: 'q1', name: 'Front desk', priority: 3 } });
    event({ seq: 3, type: 'queue.updated', queue: { id: 'q3', name: 'Sales', priority: 0 } });
    expect(store.queues.map((q) => q.name)).toEqual(['Front desk', 'Support', 'Sales']);
    expect(ids(store)).toEqual(['a']); // calls kept
    event({ seq: 4, type: 'call.queued', call: call('s', { queueId: 'q3' }) });
    expect(ids(store, 2)).toEqual(['s']);
  });

  it('replaces the state with a pushed queue:snapshot', async () => {
    const { store, emit, event, snapshot } = setup(snap(40, [call('a')]));
    await store.start();
    // e.g. the switchboard restarted: seq starts again lower.
    emit('queue:snapshot', snap(2, [call('r', { queueId: 'q2' })]));
    expect(store.seq).toBe(2);
    expect(ids(store)).toEqual([]);
    expect(ids(store, 1)).toEqual(['r']);
    event({ seq: 3, type: 'call.abandoned', call: call('r', { queueId: 'q2' }) });
    expect(store.waiting).toBe(0);
    expect(snapshot).toHaveBeenCalledTimes(1);
  });
});

describe('QueueStore gaps and resync', () => {
  it('re-fetches the snapshot on a gap and replays newer events', async () => {
    const { store, event, snapshot } = setup(
      snap(10, [call('a')]),
      snap(13, [call('a'), call('b'), call('c')]),
    );
    await store.start();

    event({ seq: 13, type: 'call.taken', call: call('b') }); // 11 and 12 missing → gap
    expect(snapshot).toHaveBeenCalledTimes(2);
    // Arrives while the snapshot is in flight: buffered, applied after it.
    event({ seq: 14, type: 'call.queued', call: call('d', { enteredAt: '2025-11-25T11:00:00Z' }) });

    await vi.waitFor(() => expect(store.seq).toBe(14));
    // The snapshot at 13 already reflects event 13; event 14 is applied on top.
    expect(ids(store)).toEqual(['a', 'b', 'c', 'd']);
    expect(snapshot).toHaveBeenCalledTimes(2);
  });

  it('fetches again when the replayed buffer still has a gap', async () => {
    const { store, event, snapshot } = setup(snap(1, []), snap(2, []), snap(5, [call('z')]));
    await store.start();
    event({ seq: 3, type: 'call.queued', call: call('x') }); // gap (2 missing)
    event({ seq: 5, type: 'call.queued', call: call('z') }); // buffered
    await vi.waitFor(() => expect(snapshot).toHaveBeenCalledTimes(3));
    await vi.waitFor(() => expect(store.seq).toBe(5));
    expect(ids(store)).toEqual(['z']);
  });

  it('resyncs when the bridge or the switchboard connection comes back', async () => {
    const { store, emit, snapshot } = setup(snap(1, []), snap(7, [call('n')]), snap(9, []));
    await store.start();
    emit('bridge:state', { connected: false });
    emit('bridge:state', { connected: true });
    await vi.waitFor(() => expect(store.seq).toBe(7));
    expect(ids(store)).toEqual(['n']);

    emit('connection:state', { state: 'reconnecting' });
    expect(snapshot).toHaveBeenCalledTimes(2);
    emit('connection:state', { state: 'connected' });
    await vi.waitFor(() => expect(store.seq).toBe(9));
    expect(snapshot).toHaveBeenCalledTimes(3);
  });

  it('stop() unsubscribes and forgets the state', async () => {
    const { store, event, handlers } = setup(snap(3, [call('a')]));
    await store.start();
    store.stop();
    expect(store.queues).toEqual([]);
    expect(store.status).toBe('idle');
    expect([...handlers.values()].every((s) => s.size === 0)).toBe(true);
    event({ seq: 4, type: 'call.queued', call: call('b') });
    expect(store.waiting).toBe(0);
  });
});

describe('QueueStore actions', () => {
  it('calls the API and reflects a note at once', async () => {
    const { store, api } = setup(snap(1, [call('a')]));
    await store.start();
    await store.pickup('a');
    await store.reserve('a');
    await store.setNote('a', 'VIP client');
    expect(api.pickup).toHaveBeenCalledWith('a');
    expect(api.reserve).toHaveBeenCalledWith('a');
    expect(api.setNote).toHaveBeenCalledWith('a', 'VIP client');
    expect(store.findCall('a')?.note).toBe('VIP client');
  });

  it('propagates API errors to the caller', async () => {
    const { store, api } = setup(snap(1, [call('a')]));
    api.pickup.mockRejectedValueOnce(new Error('call already taken'));
    await store.start();
    await expect(store.pickup('a')).rejects.toThrow('call already taken');
  });
});
