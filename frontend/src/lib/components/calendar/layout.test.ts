import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../api/calendar';
import { coversDay, layoutDay } from './layout';

const day = new Date(2026, 10, 25);
const at = (h: number, m = 0, d = 25) => new Date(2026, 10, d, h, m).toISOString();
const ev = (start: string, end: string, extra: Partial<CalendarEvent> = {}): CalendarEvent => ({
  start,
  end,
  allDay: false,
  summary: 'x',
  location: '',
  status: 'busy',
  private: false,
  ...extra,
});

describe('calendar layout', () => {
  it('places blocks by minutes from midnight, clipped to the day', () => {
    const { timed } = layoutDay(
      [ev(at(9, 30), at(10, 15)), ev(at(22, 0, 24), at(1, 0)), ev(at(23), at(2, 0, 26)), ev(at(9, 0, 26), at(10, 0, 26))],
      day,
    );
    expect(timed.map((p) => [p.top, p.bottom, p.continued, p.continues])).toEqual([
      [0, 60, true, false],
      [570, 615, false, false],
      [1380, 1440, false, true],
    ]);
  });

  it('puts overlapping appointments side by side, the others full width', () => {
    const { timed } = layoutDay(
      [ev(at(9), at(11), { summary: 'a' }), ev(at(10), at(12), { summary: 'b' }), ev(at(11), at(12), { summary: 'c' }), ev(at(14), at(15), { summary: 'd' })],
      day,
    );
    const lanes = Object.fromEntries(timed.map((p) => [p.event.summary, `${p.lane}/${p.lanes}`]));
    expect(lanes).toEqual({ a: '0/2', b: '1/2', c: '0/2', d: '0/1' });
  });

  it('reads all-day dates as written, end exclusive', () => {
    const holiday = ev('2026-11-24', '2026-11-26', { allDay: true });
    expect(coversDay(holiday, new Date(2026, 10, 24))).toBe(true);
    expect(coversDay(holiday, day)).toBe(true);
    expect(coversDay(holiday, new Date(2026, 10, 26))).toBe(false);
    const single = ev('2026-11-25T00:00:00Z', '2026-11-25T00:00:00Z', { allDay: true });
    expect(coversDay(single, day)).toBe(true);
    expect(layoutDay([holiday], day)).toEqual({ allDay: [holiday], timed: [] });
  });
});
