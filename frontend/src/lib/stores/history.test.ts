import { describe, expect, it, vi } from 'vitest';
import type { HistoryEntry } from '../api/history';
import { Events } from '../api/types';
import { entryNumber, HistoryStore } from './history.svelte';

function entry(id: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    callId: `c${id}`,
    direction: 'in',
    callerNumber: '+33 6 11 22 33 44',
    outcome: 'answered',
    started: '2026-11-25T09:00:00Z',
    ended: '2026-11-25T09:01:00Z',
    ...extra,
  };
}

function bus() {
  const handlers = new Map<string, (d: unknown) => void>();
  return {
    on: (name: string, cb: (d: unknown) => void) => {
      handlers.set(name, cb);
      return () => handlers.delete(name);
    },
    emit: (name: string, data: unknown) => handlers.get(name)?.(data),
  };
}

describe('entryNumber (O3)', () => {
  it('gives the transfer destination for transfers and recalls, else the caller', () => {
    expect(entryNumber(entry(1))).toBe('+33 6 11 22 33 44');
    expect(entryNumber(entry(2, { outcome: 'transferred', destination: '0142000001' }))).toBe('0142000001');
    expect(entryNumber(entry(3, { outcome: 'recalled', destination: '301' }))).toBe('301');
    expect(entryNumber(entry(4, { outcome: 'missed', destination: '' }))).toBe('+33 6 11 22 33 44');
  });
});

describe('HistoryStore', () => {
  it('loads on start and again, once, after a burst of call events', async () => {
    vi.useFakeTimers();
    const b = bus();
    const list = vi.fn().mockResolvedValueOnce([entry(1)]).mockResolvedValue([entry(2), entry(1)]);
    const s = new HistoryStore({ api: { list }, on: b.on as never, delay: 100 });
    s.start();
    await vi.waitFor(() => expect(s.entries.map((e) => e.id)).toEqual([1]));
    b.emit(Events.queue, { type: 'call.taken' });
    b.emit(Events.queue, { type: 'call.updated' });
    b.emit(Events.phoneCall, { state: 'ended' });
    b.emit(Events.phoneCall, { state: 'active' });
    await vi.advanceTimersByTimeAsync(150);
    expect(list).toHaveBeenCalledTimes(2);
    expect(s.entries.map((e) => e.id)).toEqual([2, 1]);
    await vi.advanceTimersByTimeAsync(1000); // and once more, for a transfer answered later
    expect(list).toHaveBeenCalledTimes(3);
    s.stop();
    b.emit(Events.queue, { type: 'call.abandoned' });
    await vi.advanceTimersByTimeAsync(1500);
    expect(list).toHaveBeenCalledTimes(3);
    expect(s.entries).toEqual([]);
    vi.useRealTimers();
  });

  it('keeps the last list and reports a failed fetch', async () => {
    const list = vi.fn().mockResolvedValueOnce([entry(1)]).mockRejectedValueOnce(new Error('switchboard unreachable'));
    const s = new HistoryStore({ api: { list }, on: bus().on as never });
    await s.refresh();
    await s.refresh();
    expect(s.entries.map((e) => e.id)).toEqual([1]);
    expect(s.error).toBe('switchboard unreachable');
  });
});
