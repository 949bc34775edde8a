// Fixtures of the calendar component tests: a fixed "now", events at local times, and a
// stubbed bridge answering the calendar and presence calls.
import { vi } from 'vitest';
import type { CalendarEvent, Schedule } from '../../api/calendar';
import type { ContactPresence } from '../../api/presence';

// Wednesday 25 November 2026, 10:30 local time.
export const NOW = new Date(2026, 10, 25, 10, 30).getTime();
/** An ISO instant at h:m local time on day d of November 2026. */
export const at = (h: number, m = 0, d = 25) => new Date(2026, 10, d, h, m).toISOString();
export const ev = (start: string, end: string, extra: Partial<CalendarEvent> = {}): CalendarEvent => ({
  start,
  end,
  allDay: false,
  summary: 'Meeting',
  location: '',
  status: 'busy',
  private: false,
  ...extra,
});

export type Answer = Partial<Schedule> | Error;

/**
 * Stubs the bridge: Directory.Calendar answers with `answer(args)`, Presence.Get with presence;
 * returns the [contact, from, to] asked, in order.
 */
export function stubBridge(answer: (id: string, from: string, to: string) => Answer, presence: ContactPresence[] = []) {
  const asked: [string, string, string][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      let data: unknown = null;
      if (body.service === 'Directory' && body.method === 'Calendar') {
        const [id, from, to] = body.args as [string, string, string];
        asked.push([id, from, to]);
        const a = answer(id, from, to);
        if (a instanceof Error) {
          return new Response(JSON.stringify({ error: a.message }), { status: 502, headers: { 'Content-Type': 'application/json' } });
        }
        data = { contactId: id, configured: true, source: 'caldav', from, to, events: [], fetched: at(10, 29), stale: false, error: '', ...a };
      } else if (body.service === 'Presence' && body.method === 'Get') {
        data = presence;
      }
      return new Response(JSON.stringify(data), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return asked;
}
