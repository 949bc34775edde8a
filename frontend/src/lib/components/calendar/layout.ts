// Where a day's appointments go on the time grid: minutes from midnight, and side-by-side lanes
// for the ones that overlap (each group of overlapping appointments shares the column width).

import type { CalendarEvent } from '../../api/calendar';
import { addDays } from '../../stores/calendar.svelte';

/** Shortest block drawn, in minutes, so a 5-minute appointment stays readable. */
export const MIN_MINUTES = 24;

export interface Placed {
  event: CalendarEvent;
  /** Minutes from the day's midnight to the (clipped) start and end. */
  top: number;
  bottom: number;
  lane: number;
  lanes: number;
  /** Begins on an earlier day / ends on a later one. */
  continued: boolean;
  continues: boolean;
}

/** "YYYY-MM-DD" of a local date. */
export function dateKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function minutesOfDay(t: Date): number {
  return t.getHours() * 60 + t.getMinutes() + t.getSeconds() / 60;
}

/**
 * Whether an all-day appointment covers this day. Its dates are read as written (not moved by
 * the time zone) and its end is exclusive, as in iCalendar.
 */
export function coversDay(e: CalendarEvent, day: Date): boolean {
  const key = dateKey(day);
  const start = e.start.slice(0, 10);
  const end = e.end.slice(0, 10);
  if (end <= start) return key === start;
  return start <= key && key < end;
}

/** The all-day appointments and the placed timed ones of one day (day = local midnight). */
export function layoutDay(events: readonly CalendarEvent[], day: Date): { allDay: CalendarEvent[]; timed: Placed[] } {
  const from = day.getTime();
  const to = addDays(day, 1).getTime();
  const allDay: CalendarEvent[] = [];
  const timed: Placed[] = [];
  for (const e of events) {
    if (e.allDay) {
      if (coversDay(e, day)) allDay.push(e);
      continue;
    }
    const s = Date.parse(e.start);
    let end = Date.parse(e.end);
    if (Number.isNaN(s)) continue;
    if (Number.isNaN(end) || end < s) end = s;
    const inside = end > s ? s < to && end > from : s >= from && s < to;
    if (!inside) continue;
    const top = s <= from ? 0 : minutesOfDay(new Date(s));
    const bottom = end >= to ? 24 * 60 : minutesOfDay(new Date(end));
    timed.push({ event: e, top, bottom: Math.max(bottom, top), lane: 0, lanes: 1, continued: s < from, continues: end > to });
  }
  timed.sort((a, b) => a.top - b.top || b.bottom - a.bottom);

  // Clusters of transitively overlapping blocks (as drawn, with the minimum height); in each,
  // a block takes the first lane free at its start.
  let cluster: Placed[] = [];
  let laneEnds: number[] = [];
  let clusterEnd = -1;
  const close = () => {
    for (const p of cluster) p.lanes = laneEnds.length;
    cluster = [];
    laneEnds = [];
  };
  for (const p of timed) {
    const drawnEnd = Math.max(p.bottom, p.top + MIN_MINUTES);
    if (p.top >= clusterEnd) close();
    let lane = laneEnds.findIndex((end) => end <= p.top);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(drawnEnd);
    } else {
      laneEnds[lane] = drawnEnd;
    }
    p.lane = lane;
    cluster.push(p);
    clusterEnd = Math.max(clusterEnd, drawnEnd);
  }
  close();
  return { allDay, timed };
}
