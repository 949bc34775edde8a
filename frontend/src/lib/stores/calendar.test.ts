import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CalendarAPI, Schedule } from '../api/calendar';
import { CalendarAdminStore, CalendarStore, rangeOf, startOfWeek } from './calendar.svelte';

// Wednesday 25 November 2026, 10:30 local time.
const NOW = new Date(2026, 10, 25, 10, 30).getTime();
const local = (d: number, h = 0) => new Date(2026, 10, d, h).toISOString();

function schedule(contactId: string, from: string, to: string, extra: Partial<Schedule> = {}): Schedule {
  return { contactId, configured: true, source: 'caldav', from, to, events: [], fetched: from, stale: false, error: '', ...extra };
}

/** An API whose answers the test releases one by one. */
function deferredApi() {
  const calls: { id: string; from: string; to: string; resolve: (s: Schedule) => void; reject: (e: Error) => void }[] = [];
  const get = vi.fn(
    (id: string, from: string, to: string) =>
      new Promise<Schedule>((resolve, reject) => calls.push({ id, from, to, resolve, reject })),
  );
  return { api: { get } as Pick<CalendarAPI, 'get'>, calls, get };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('calendar ranges', () => {
  it('a week starts on Monday, a day at local midnight', () => {
    expect(startOfWeek(new Date(NOW)).getTime()).toBe(new Date(2026, 10, 23).getTime());
    expect(startOfWeek(new Date(2026, 10, 29, 23)).getTime()).toBe(new Date(2026, 10, 23).getTime()); // Sunday
    expect(startOfWeek(new Date(2026, 10, 30, 1)).getTime()).toBe(new Date(2026, 10, 30).getTime()); // Monday
    const day = rangeOf('day', new Date(NOW));
    expect([day.from.toISOString(), day.to.toISOString(), day.days.length]).toEqual([local(25), local(26), 1]);
    const week = rangeOf('week', new Date(NOW));
    expect([week.from.toISOString(), week.to.toISOString(), week.days.length]).toEqual([local(23), local(30), 7]);
  });
});

describe('calendar store (D2)', () => {
  let store: CalendarStore;
  let hide: (() => void) | undefined;
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => {
    hide?.();
    store?.stop();
    vi.useRealTimers();
  });

  it('opens on today and asks for the day, then the week, then the next week', async () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => NOW });
    hide = store.show('alice');
    expect(calls.map((c) => [c.id, c.from, c.to])).toEqual([['alice', local(25), local(26)]]);
    store.setMode('week');
    store.step(1);
    store.step(-1);
    store.setMode('day');
    store.step(-1);
    expect(calls.slice(1).map((c) => [c.from, c.to])).toEqual([
      [local(23), local(30)],
      [local(30), local(37)],
      [local(23), local(30)],
      [local(25), local(26)],
      [local(24), local(25)],
    ]);
    store.today();
    expect(calls.at(-1)!.from).toBe(local(25));
  });

  it('drops answers for an earlier contact or range, and keeps the last schedule while reading', async () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => NOW });
    hide = store.show('alice');
    calls[0].resolve(schedule('alice', local(25), local(26)));
    await flush();
    expect(store.schedule?.contactId).toBe('alice');
    expect(store.current).toBe(true);

    store.step(1); // next day: the old day stays on screen until the new one arrives
    expect(store.schedule?.contactId).toBe('alice');
    expect(store.current).toBe(false);
    expect(store.loading).toBe(true);

    hide();
    hide = store.show('bob'); // another contact: nothing of Alice's is shown
    expect(store.schedule).toBeNull();
    calls[1].resolve(schedule('alice', local(26), local(27))); // Alice's late answer
    await flush();
    expect(store.schedule).toBeNull();
    calls[2].resolve(schedule('bob', local(25), local(26)));
    await flush();
    expect(store.schedule?.contactId).toBe('bob');
    expect(store.loading).toBe(false);
  });

  it('a failed read keeps the last schedule and says why', async () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => NOW });
    hide = store.show('alice');
    calls[0].resolve(schedule('alice', local(25), local(26), { events: [{ start: local(25, 9), end: local(25, 10), allDay: false, summary: 'Standup', location: '', status: 'busy', private: false }] }));
    await flush();
    void store.refresh();
    calls[1].reject(new Error('switchboard unreachable'));
    await flush();
    expect(store.error).toBe('switchboard unreachable');
    expect(store.schedule?.events).toHaveLength(1);
    void store.refresh();
    calls[2].resolve(schedule('alice', local(25), local(26)));
    await flush();
    expect(store.error).toBe('');
  });

  it('reads again every minute while shown, and not once hidden', async () => {
    const { api, get } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => NOW, interval: 60_000 });
    hide = store.show('alice');
    expect(get).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(get).toHaveBeenCalledTimes(2);
    hide();
    hide = undefined;
    vi.advanceTimersByTime(180_000);
    await store.refresh(); // a reconnect while nothing shows it
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('showing the same contact again keeps its schedule and range', async () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => NOW });
    hide = store.show('alice');
    store.setMode('week');
    calls[1].resolve(schedule('alice', local(23), local(30)));
    await flush();
    hide();
    hide = store.show('alice');
    expect(store.schedule?.contactId).toBe('alice');
    expect(calls.at(-1)!.from).toBe(local(23));
  });
});

describe('calendar store past midnight', () => {
  // Wednesday 25 November 2026, 23:58 local: two minutes before the day changes.
  const LATE = new Date(2026, 10, 25, 23, 58).getTime();
  const AFTER = new Date(2026, 10, 26, 0, 3).getTime();
  let store: CalendarStore;
  let hide: (() => void) | undefined;
  let now: number;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    now = LATE;
  });
  afterEach(() => {
    hide?.();
    store?.stop();
    vi.useRealTimers();
  });

  it('the same contact shown again after midnight opens on the new today', () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => now });
    hide = store.show('alice');
    expect(calls[0].from).toBe(local(25));
    hide();
    now = AFTER;
    hide = store.show('alice');
    expect(store.anchor).toBe(new Date(2026, 10, 26).getTime());
    expect([calls.at(-1)!.from, calls.at(-1)!.to]).toEqual([local(26), local(27)]);
  });

  it('left open, the periodic read moves it to the new today', () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => now, interval: 60_000 });
    hide = store.show('alice');
    now = AFTER;
    vi.advanceTimersByTime(60_000);
    expect(calls.at(-1)!.from).toBe(local(26));
  });

  it('a day the user went to stays; coming back to today follows the date again', () => {
    const { api, calls } = deferredApi();
    store = new CalendarStore({ api, weekStart: () => 1, now: () => now });
    hide = store.show('alice');
    store.step(-1); // Tuesday, on purpose
    hide();
    now = AFTER;
    hide = store.show('alice');
    expect(calls.at(-1)!.from).toBe(local(24));

    store.step(1); // Wednesday: yesterday now, still a day picked with the arrows
    expect(calls.at(-1)!.from).toBe(local(25));
    store.step(1); // Thursday: today
    hide();
    now = new Date(2026, 10, 27, 0, 1).getTime();
    hide = store.show('alice');
    expect(calls.at(-1)!.from).toBe(local(27));
  });

  it('a week view that follows today moves to the next week when the week changes', () => {
    const { api, calls } = deferredApi();
    now = new Date(2026, 10, 29, 23, 59).getTime(); // Sunday
    store = new CalendarStore({ api, weekStart: () => 1, now: () => now });
    hide = store.show('alice');
    store.setMode('week');
    expect(calls.at(-1)!.from).toBe(local(23));
    hide();
    now = new Date(2026, 10, 30, 8, 0).getTime(); // Monday
    hide = store.show('alice');
    expect([calls.at(-1)!.from, calls.at(-1)!.to]).toEqual([local(30), local(37)]);
  });
});

describe('calendar settings (administrators)', () => {
  it('keeps the test result, or the error', async () => {
    const api = {
      settings: vi.fn(),
      save: vi.fn(),
      test: vi.fn().mockResolvedValueOnce({ ok: true, events: 3, error: '' }).mockRejectedValueOnce(new Error('forbidden')),
    };
    const s = new CalendarAdminStore(api);
    await s.runTest('a@example.com');
    expect(s.test).toEqual({ ok: true, events: 3, error: '' });
    await s.runTest('a@example.com');
    expect(s.test).toBeNull();
    expect(s.testError).toBe('forbidden');
    expect(api.test).toHaveBeenCalledWith('a@example.com');
  });
});
