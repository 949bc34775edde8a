import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { calendarStore } from '../../stores/calendar.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import { presenceStore } from '../../stores/presence.svelte';
import DetailsPanel from '../panels/DetailsPanel.svelte';
import { at, ev, NOW, stubBridge } from './testing';

// The large calendar (D2, manual §8 "le calendrier peut être étendu"), opened from the details
// panel: the same store, so the same contact, days and view, without reading the calendar again.

vi.mock('../../stores/clock.svelte', async (original) => {
  const m = await original<typeof import('../../stores/clock.svelte')>();
  return { ...m, clock: new m.Clock(1000, () => Date.now()) };
});

const ALICE: Contact = {
  id: 'alice',
  displayName: 'Alice Martin',
  emails: ['alice.martin@example.com'],
  visibility: 'public',
  source: 'local',
  updated: '2026-11-01T10:00:00Z',
};

const panel = () => screen.getByTestId('calendar');
const dialog = () => screen.getByTestId('calendar-dialog') as HTMLDialogElement;

async function details() {
  directoryStore.selected = ALICE;
  render(DetailsPanel, { collapsed: false, ontoggle: () => {} });
  await vi.waitFor(() => expect(calendarStore.schedule).not.toBeNull());
  await vi.waitFor(() => expect(calendarStore.loading).toBe(false));
}

describe('large calendar view (D2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('en-GB');
    i18n.setLocale('en');
  });
  afterEach(() => {
    calendarStore.stop();
    presenceStore.stop();
    directoryStore.selected = null;
    vi.useRealTimers();
  });

  it('opens on the same week, titled with the contact and presence, without reading again; Escape closes it', async () => {
    const asked = stubBridge(
      () => ({
        events: [
          ev(at(9, 0, 27), at(10, 30, 27), { summary: 'Customer call', location: 'Room Rhône' }),
          ev(at(10), at(11), { summary: 'Budget review' }),
        ],
      }),
      [{ id: 'alice', state: 'away', source: 'calendar', until: at(11), message: 'Budget review', activity: 'meeting' }],
    );
    await details();
    await fireEvent.click(within(panel()).getByLabelText('Week'));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 23), at(0, 0, 30)]));
    await vi.waitFor(() => expect(calendarStore.loading).toBe(false));
    const reads = asked.length;

    const expand = within(panel()).getByRole('button', { name: 'Expand the calendar' });
    expect(expand.getAttribute('title')).toBe('Expand the calendar');
    expand.focus();
    await fireEvent.click(expand);
    expect(dialog().hasAttribute('open')).toBe(true);
    const big = within(dialog());
    expect(big.getByRole('heading', { name: 'Calendar — Alice Martin' })).toBeTruthy();
    await vi.waitFor(() => expect(big.getByText('In a meeting until 11:00 AM: Budget review')).toBeTruthy());
    await vi.waitFor(() => expect(document.activeElement).toBe(big.getByRole('button', { name: 'Close the calendar' })));
    const view = big.getByTestId('calendar-expanded');
    expect(within(view).getByText('Nov 23 – 29, 2026')).toBeTruthy();
    expect(view.querySelectorAll('.col')).toHaveLength(7);
    // An hour and a half is room for the title, the times and the place.
    const call = within(view).getByText('Customer call').closest('li')!;
    expect(call.textContent).toContain('9:00 AM–10:30 AM');
    expect(call.textContent).toContain('Room Rhône');
    expect(asked).toHaveLength(reads);

    await fireEvent.keyDown(dialog(), { key: 'Escape' });
    expect(dialog().hasAttribute('open')).toBe(false);
    expect(screen.queryByTestId('calendar-expanded')).toBeNull();
    expect(document.activeElement).toBe(expand);
    expect(within(panel()).getByText('Nov 23 – 29, 2026')).toBeTruthy();
  });

  it("a view or day picked in the large calendar is the panel's when it closes", async () => {
    const asked = stubBridge(() => ({}));
    await details();
    await fireEvent.click(within(panel()).getByRole('button', { name: 'Expand the calendar' }));
    const big = within(screen.getByTestId('calendar-expanded'));
    expect(big.getByText('Wednesday, November 25, 2026')).toBeTruthy();

    await fireEvent.click(big.getByLabelText('Week'));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 23), at(0, 0, 30)]));
    await fireEvent.click(big.getByRole('button', { name: 'Next week' }));
    await vi.waitFor(() => expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 30), at(0, 0, 37)]));
    expect(big.getByText('Nov 30 – Dec 6, 2026')).toBeTruthy();
    expect(within(panel()).getByText('Nov 30 – Dec 6, 2026')).toBeTruthy(); // under the dialog, already

    await fireEvent.click(within(dialog()).getByRole('button', { name: 'Close the calendar' }));
    expect(dialog().hasAttribute('open')).toBe(false);
    expect(within(panel()).getByRole('radio', { name: 'Week' })).toHaveProperty('checked', true);
    expect(calendarStore.chosen).toBe('week');
  });

  it('the panel opens on one day when narrow and on the week when wide, until the user picks', async () => {
    let width = 340;
    const observers: (() => void)[] = [];
    vi.stubGlobal(
      'ResizeObserver',
      class {
        #cb: () => void;
        constructor(cb: () => void) {
          this.#cb = cb;
          observers.push(cb);
        }
        observe() {
          this.#cb();
        }
        disconnect() {}
      },
    );
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(() => width);
    const resize = async (w: number) => {
      width = w;
      for (const cb of observers) cb();
      await vi.waitFor(() => expect(calendarStore.loading).toBe(false));
    };
    const asked = stubBridge(() => ({}));
    await details();
    expect(calendarStore.mode).toBe('day');
    expect(asked.at(-1)!.slice(1)).toEqual([at(0), at(0, 0, 26)]);

    await resize(600);
    expect(calendarStore.mode).toBe('week');
    expect(asked.at(-1)!.slice(1)).toEqual([at(0, 0, 23), at(0, 0, 30)]);
    await resize(340);
    expect(calendarStore.mode).toBe('day');

    await fireEvent.click(within(panel()).getByLabelText('Week')); // the user's choice stays
    await resize(300);
    expect(calendarStore.mode).toBe('week');
    await resize(600);
    await fireEvent.click(within(panel()).getByLabelText('Day'));
    await resize(700);
    expect(calendarStore.mode).toBe('day');
  });
});
