import { describe, expect, it, vi } from 'vitest';
import { STATS_EVENT, type Stats } from '../api/stats';
import type { EventCallback } from '../api/transport';
import { belowTarget, formatPercent, goalOf, StatsStore } from './stats.svelte';

function stats(over: Partial<Stats> = {}): Stats {
  return {
    day: '2026-11-25',
    serviceLevelSeconds: 20,
    queues: [
      {
        id: 'reception', name: 'Reception', waiting: 1, longestWaitSeconds: 40, oldestEnteredAt: '2026-11-25T09:00:40Z',
        offered: 4, answered: 2, abandoned: 1, avgWaitSeconds: 18.5, maxWaitSeconds: 25, serviceLevel: 1 / 3,
      },
      {
        id: 'sales', name: 'Sales', waiting: 2, longestWaitSeconds: 90, oldestEnteredAt: '2026-11-25T09:00:10Z',
        offered: 3, answered: 1, abandoned: 0, avgWaitSeconds: 5, maxWaitSeconds: 5, serviceLevel: 1,
      },
    ],
    attendants: [{ username: 'anna', name: 'Anna', state: 'available', answered: 2, talkSeconds: 100 }],
    ...over,
  };
}

function setup(today = vi.fn(async () => stats())) {
  const handlers = new Map<string, EventCallback>();
  const on = vi.fn((name: string, cb: EventCallback) => {
    handlers.set(name, cb);
    return () => handlers.delete(name);
  });
  const store = new StatsStore({ api: { today }, on });
  return { store, today, push: (s: Stats) => handlers.get(STATS_EVENT)?.(s), handlers };
}

describe('StatsStore', () => {
  it('loads once, then takes every pushed snapshot whole', async () => {
    const { store, today, push } = setup();
    await store.start();
    await store.start();
    expect(today).toHaveBeenCalledTimes(1);
    expect(store.queues.map((q) => q.id)).toEqual(['reception', 'sales']);
    push(stats({ queues: [] }));
    expect(store.queues).toEqual([]);
  });

  it('sums the queues: waiting, the oldest wait, service level weighted by finished calls', async () => {
    const { store } = setup();
    await store.start();
    const total = store.total;
    expect(total.waiting).toBe(3);
    expect(total.oldestEnteredAt).toBe('2026-11-25T09:00:10Z');
    // reception: 1 of 3 finished calls in time; sales: 1 of 1 → 2 of 4.
    expect(total.serviceLevel).toBeCloseTo(0.5);
  });

  it('compares each queue against its own target', async () => {
    const base = stats().queues!;
    const { store, push } = setup();
    await store.start();
    // Without a goal from the switchboard (older one): 80 % within the snapshot's threshold.
    expect(store.total.below.map((q) => q.id)).toEqual(['reception']);
    expect(goalOf(base[0], 20)).toEqual({ target: 0.8, seconds: 20 });
    push(
      stats({
        queues: [
          { ...base[0], serviceLevel: 1 / 3, serviceLevelSeconds: 60, serviceLevelTarget: 30 }, // 33 % ≥ 30 %
          { ...base[1], serviceLevel: 0.85, serviceLevelSeconds: 10, serviceLevelTarget: 90 }, // 85 % < 90 %
        ],
      }),
    );
    expect(store.total.below.map((q) => q.id)).toEqual(['sales']);
    expect(goalOf(store.queues[1])).toEqual({ target: 0.9, seconds: 10 });
    expect(belowTarget({ serviceLevel: null, serviceLevelTarget: 90 })).toBe(false);
    expect(belowTarget({ serviceLevel: 1, serviceLevelTarget: 100 })).toBe(false);
  });

  it('keeps the error, and forgets everything on stop', async () => {
    const { store, handlers } = setup(vi.fn(async () => Promise.reject(new Error('switchboard unreachable'))));
    await store.start();
    expect(store.error).toBe('switchboard unreachable');
    store.wallboardOpen = true;
    store.stop();
    expect(store.error).toBe('');
    expect(store.wallboardOpen).toBe(false);
    expect(handlers.size).toBe(0);
  });

  it('formats a share as a percentage in the locale, and unknown as a dash', () => {
    expect(formatPercent(0.5, 'en')).toBe('50%');
    expect(formatPercent(0.5, 'fr').replace(/\s/g, ' ')).toBe('50 %');
    expect(formatPercent(null, 'en')).toBe('–');
  });
});
