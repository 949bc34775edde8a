import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../../i18n/index.svelte';
import { calendarStore } from '../../stores/calendar.svelte';
import { presenceStore } from '../../stores/presence.svelte';
import Presence from '../Presence.svelte';
import CalendarView from './CalendarView.svelte';
import { at, ev, NOW, stubBridge } from './testing';

// The shared clock reads the (faked) Date at every tick.
vi.mock('../../stores/clock.svelte', async (original) => {
  const m = await original<typeof import('../../stores/clock.svelte')>();
  return { ...m, clock: new m.Clock(1000, () => Date.now()) };
});

async function shown(contactId = 'alice') {
  render(CalendarView, { contactId });
  await vi.waitFor(() => expect(calendarStore.schedule).not.toBeNull());
  await vi.waitFor(() => expect(calendarStore.loading).toBe(false));
}

describe('contact calendar (D2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('en-GB'); // weeks from Monday
    i18n.setLocale('en');
  });
  afterEach(() => {
    calendarStore.stop();
    presenceStore.stop();
    vi.useRealTimers();
  });

  it('places appointments by time, overlapping ones side by side, with a now line', async () => {
    stubBridge(() => ({
      events: [
        ev(at(9, 30), at(10, 30), { summary: 'Standup' }),
        ev(at(14), at(15), { summary: 'Budget review', location: 'Room 2' }),
        ev(at(14, 30), at(15, 30), { summary: 'Interview', status: 'tentative' }),
      ],
    }));
    await shown();
    const grid = screen.getByTestId('calendar-grid');
    const [standup, budget, interview] = within(grid).getAllByRole('listitem');
    // 30 px per hour: 9:30 is 285 px down, one hour is 29 px high (1 px gap).
    expect(standup.textContent).toContain('Standup');
    expect(standup.getAttribute('style')).toContain('top: 285px');
    expect(standup.getAttribute('style')).toContain('height: 29px');
    expect(standup.dataset.lane).toBe('0/1');
    expect([budget.dataset.lane, interview.dataset.lane]).toEqual(['0/2', '1/2']);
    expect(interview.getAttribute('style')).toContain('left: calc(50% + 1px)');
    expect(budget.getAttribute('title')).toBe('2:00 PM–3:00 PM · Budget review · Busy · Room 2');
    expect(interview.dataset.status).toBe('tentative');
    expect(interview.getAttribute('title')).toContain('Tentative'); // in words, not colour alone
    expect(screen.getByTestId('calendar-now').getAttribute('style')).toContain('top: 315px');
    expect(screen.getByText('Wednesday, November 25, 2026')).toBeTruthy();
    expect(screen.queryByTestId('calendar-allday')).toBeNull();
  });

  it('shows all-day appointments in a row on top, and private ones without their title', async () => {
    stubBridge(() => ({
      events: [
        ev('2026-11-25', '2026-11-26', { allDay: true, summary: 'Trade fair', status: 'oof' }),
        ev(at(11), at(12), { summary: '', private: true }),
      ],
    }));
    await shown();
    const row = screen.getByTestId('calendar-allday');
    expect(within(row).getByRole('listitem').textContent).toContain('Trade fair');
    expect(within(row).getByRole('listitem').dataset.status).toBe('oof');
    const timed = within(screen.getByTestId('calendar-grid')).getAllByRole('listitem').filter((li) => li.classList.contains('ev'));
    expect(timed).toHaveLength(1);
    expect(timed[0].textContent).toContain('Private appointment');
  });

  it('says when no calendar is connected, or the contact has no e-mail address', async () => {
    stubBridge((id) => ({ configured: false, reason: id === 'nomail' ? 'noEmail' : 'none', source: '' }));
    await shown('alice');
    expect(screen.getByTestId('calendar-unavailable').textContent?.trim()).toBe('No calendar connected');
    expect(screen.queryByRole('radiogroup')).toBeNull();
    calendarStore.stop();
    document.body.innerHTML = '';
    await i18n.setLocale('de');
    await shown('nomail');
    expect(screen.getByTestId('calendar-unavailable').textContent?.trim()).toBe('Dieser Kontakt hat keine E-Mail-Adresse');
  });

  it('shows the server error with the last appointments, marked as outdated', async () => {
    stubBridge(() => ({ stale: true, error: 'caldav: 503 Service Unavailable', events: [ev(at(9), at(10), { summary: 'Standup' })] }));
    await shown();
    expect(screen.getByTestId('calendar-error').textContent).toContain('caldav: 503 Service Unavailable');
    expect(screen.getByTestId('calendar-stale').textContent).toContain('Outdated');
    expect(screen.getByTestId('calendar-grid').textContent).toContain('Standup');
  });

  it('keeps the last appointments when the switchboard cannot be reached, and says when none', async () => {
    let fail = false;
    stubBridge(() => (fail ? new Error('bridge unreachable') : { events: [] }));
    await shown();
    expect(screen.getByTestId('calendar-empty').textContent).toBe('No appointments on this day');
    fail = true;
    await calendarStore.refresh();
    await vi.waitFor(() => expect(screen.getByTestId('calendar-error').textContent).toContain('bridge unreachable'));
    expect(screen.getByTestId('calendar-stale')).toBeTruthy();
    expect(screen.queryByTestId('calendar-empty')).toBeNull();
  });

  it('switches between day and week, and moves back and forth', async () => {
    const asked = stubBridge(() => ({ events: [ev(at(9, 0, 27), at(10, 0, 27), { summary: 'Friday call' })] }));
    await shown();
    expect(asked.at(-1)!.slice(1)).toEqual([at(0), at(0, 0, 26)]);

    await fireEvent.click(screen.getByLabelText('Week'));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 23), at(0, 0, 30)]));
    await vi.waitFor(() => expect(screen.getByTestId('calendar-grid').textContent).toContain('Friday call'));
    expect(screen.getByText('Nov 23 – 29, 2026')).toBeTruthy();
    expect(screen.getByTestId('calendar-grid').querySelectorAll('.col')).toHaveLength(7);

    await fireEvent.click(screen.getByRole('button', { name: 'Next week' }));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 30), at(0, 0, 37)]));
    expect(screen.queryByTestId('calendar-now')).toBeNull(); // today is not in that week

    await fireEvent.click(screen.getByRole('button', { name: 'Today' }));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 23), at(0, 0, 30)]));

    await fireEvent.click(screen.getByLabelText('Day'));
    await fireEvent.click(screen.getByRole('button', { name: 'Previous day' }));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 24), at(0, 0, 25)]));
  });

  it("starts the week on Monday in fr, nl, de; in English as the browser's region says", async () => {
    const asked = stubBridge(() => ({}));
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('en-US');
    await shown();
    await fireEvent.click(screen.getByLabelText('Week'));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 22), at(0, 0, 29)]));
    expect(screen.getByText('Nov 22 – 28, 2026')).toBeTruthy();
    expect(screen.getByTestId('calendar-grid').querySelector('.dayhead')?.textContent).toContain('Sun');

    await i18n.setLocale('fr'); // the same browser
    await calendarStore.refresh();
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 23), at(0, 0, 30)]));
    expect(screen.getByTestId('calendar-grid').querySelector('.dayhead')?.textContent).toContain('lun.');
  });

  it('is not read while the panel is collapsed', async () => {
    const asked = stubBridge(() => ({}));
    const { rerender } = render(CalendarView, { contactId: 'alice', paused: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toHaveLength(0);
    await rerender({ contactId: 'alice', paused: false });
    await vi.waitFor(() => expect(asked).toHaveLength(1));
  });

  it('presence from the calendar says until when, with the meeting', async () => {
    stubBridge(() => ({}), [
      { id: 'zoe', state: 'busy', source: 'calendar', until: at(14, 30), message: 'Budget review' },
      { id: 'marc', state: 'away', source: 'calendar', until: at(18, 0, 27), activity: 'meeting' },
      { id: 'lea', state: 'away', source: 'calendar', until: at(18, 0, 27), activity: 'oof', message: 'Salon Lyon' },
    ]);
    await i18n.setLocale('fr');
    render(Presence, { id: 'zoe' });
    render(Presence, { id: 'marc' });
    render(Presence, { id: 'lea' });
    await vi.waitFor(() => expect(screen.getAllByRole('img').map((d) => d.dataset.presence)).toEqual(['busy', 'away', 'away']));
    const [zoe, marc, lea] = screen.getAllByRole('img');
    expect(zoe.getAttribute('title')).toBe("En réunion jusqu'à 14:30 : Budget review");
    expect(marc.getAttribute('aria-label')).toBe("En réunion jusqu'à 27/11/2026 18:00");
    expect(lea.getAttribute('aria-label')).toBe("Absent du bureau jusqu'à 27/11/2026 18:00 : Salon Lyon");
    i18n.setLocale('en');
    await vi.waitFor(() => expect(lea.getAttribute('title')).toBe('Out of office until 11/27/26, 6:00 PM: Salon Lyon'));
    expect(marc.getAttribute('title')).toBe('In a meeting until 11/27/26, 6:00 PM');
  });
});
