import { describe, expect, it, vi } from 'vitest';
import type { Destination } from '../api/history';
import { Events, type Call } from '../api/types';
import { DestinationsStore } from './destinations.svelte';

function call(extra: Partial<Call> = {}): Call {
  return {
    id: 'q1',
    queueId: 'reception',
    callerNumber: '0611223344',
    callerName: 'Jean Martin',
    enteredAt: '2026-11-25T09:00:00Z',
    priority: 0,
    vip: false,
    note: '',
    offeredTo: 'anna',
    recall: false,
    reservedBy: '',
    rejectedBy: [],
    ...extra,
  };
}

const helene: Destination = { target: '0142000001', contactId: 'c1', name: 'Hélène Dubois', department: 'Ventes', count: 2, last: '' };
const ext300: Destination = { target: '300', count: 1, last: '' };

function rig(query = '') {
  const handlers = new Map<string, (d: unknown) => void>();
  const state = { query };
  const destinations = vi.fn().mockResolvedValue([helene, ext300]);
  const search = vi.fn((q: string) => {
    state.query = q;
  });
  const s = new DestinationsStore({
    api: { destinations },
    on: ((name: string, cb: (d: unknown) => void) => {
      handlers.set(name, cb);
      return () => handlers.delete(name);
    }) as never,
    me: () => 'anna',
    findCall: () => call(),
    query: () => state.query,
    search,
  });
  s.start();
  const emit = (name: string, data: unknown) => handlers.get(name)?.(data);
  return { s, emit, destinations, search, state };
}

describe('DestinationsStore (C5)', () => {
  it('suggests and searches the recent destinations of a call offered to me', async () => {
    const r = rig();
    r.emit(Events.queue, { type: 'call.offered', call: call() });
    await vi.waitFor(() => expect(r.s.suggestion?.destinations).toEqual([helene, ext300]));
    expect(r.destinations).toHaveBeenCalledWith('0611223344');
    expect(r.search).toHaveBeenCalledWith('Hélène Dubois');
    expect(r.s.suggestion?.caller).toBe('Jean Martin');
  });

  it('ignores offers to others and asks once per arrival; a recall asks again', async () => {
    const r = rig();
    r.emit(Events.queue, { type: 'call.offered', call: call({ offeredTo: 'bob' }) });
    r.emit(Events.queue, { type: 'call.offered', call: call() });
    r.emit(Events.phoneCall, { queueCall: 'q1', state: 'active' }); // the same call, answered
    await vi.waitFor(() => expect(r.s.suggestion).not.toBeNull());
    expect(r.destinations).toHaveBeenCalledTimes(1);
    r.emit(Events.queue, { type: 'call.offered', call: call({ recall: true, enteredAt: '2026-11-25T09:05:00Z' }) });
    await vi.waitFor(() => expect(r.s.suggestion?.recall).toBe(true));
    expect(r.destinations).toHaveBeenCalledTimes(2);
  });

  it('never replaces a search the attendant typed', async () => {
    const r = rig('martin');
    r.emit(Events.queue, { type: 'call.offered', call: call() });
    await vi.waitFor(() => expect(r.s.suggestion).not.toBeNull());
    expect(r.search).not.toHaveBeenCalled();
  });

  it('shows nothing for a caller never transferred', async () => {
    const r = rig();
    r.destinations.mockResolvedValueOnce([]);
    await r.s.callArrived(call());
    expect(r.s.suggestion).toBeNull();
    expect(r.search).not.toHaveBeenCalled();
  });
});
