import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stats } from '../../api/stats';
import type { CallReport } from '../../api/stats';
import { i18n } from '../../i18n/index.svelte';
import { StatsStore } from '../../stores/stats.svelte';
import ReportsTab from './ReportsTab.svelte';
import Wallboard from './Wallboard.svelte';

beforeEach(() => i18n.setLocale('en'));

const today: Stats = {
  day: '2026-11-25',
  serviceLevelSeconds: 20,
  queues: [
    {
      id: 'reception', name: 'Reception', waiting: 1, longestWaitSeconds: 5, oldestEnteredAt: new Date(Date.now() - 65_000).toISOString(),
      offered: 4, answered: 2, abandoned: 1, avgWaitSeconds: 18.5, maxWaitSeconds: 25, serviceLevel: 1 / 3,
    },
    {
      id: 'sales', name: 'Sales', waiting: 0, longestWaitSeconds: 0, oldestEnteredAt: null,
      offered: 0, answered: 0, abandoned: 0, avgWaitSeconds: 0, maxWaitSeconds: 0, serviceLevel: null,
    },
  ],
  attendants: [
    { username: 'bob', name: 'Bob', state: 'offline', answered: 1, talkSeconds: 30 },
    { username: 'anna', name: 'Anna', state: 'onCall', answered: 2, talkSeconds: 125 },
  ],
};

describe('Wallboard', () => {
  it('shows each queue as a tile, a low service level in words, and the attendants', async () => {
    const store = new StatsStore({ api: { today: vi.fn(async () => today) }, on: () => () => undefined });
    store.wallboardOpen = true;
    render(Wallboard, { store });
    const dialog = await screen.findByRole('dialog', { name: 'Wallboard' });
    const reception = await within(dialog).findByRole('article', { name: 'Reception' });
    expect(within(reception).getByTestId('wb-waiting').textContent).toBe('1');
    expect(within(reception).getByTestId('wb-abandoned').textContent).toBe('1');
    expect(within(reception).getByText(/^01:\d\d$/)).toBeTruthy(); // the longest wait, from oldestEnteredAt
    expect(within(reception).getByTestId('wb-level').textContent).toContain('33%');
    expect(within(reception).getByTestId('wb-level').textContent).toContain('Below target');
    const sales = within(dialog).getByRole('article', { name: 'Sales' });
    expect(within(sales).getByTestId('wb-level').textContent).toContain('No calls yet');
    const people = within(dialog).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(people[0]).toContain('Anna'); // on a call before logged out
    expect(people[0]).toContain('On a call');
    expect(people[0]).toContain('02:05');
    expect(people[1]).toContain('Logged out');

    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(store.wallboardOpen).toBe(false);
  });
});

describe('ReportsTab', () => {
  const report: CallReport = {
    from: '2026-11-19', to: '2026-11-25', serviceLevelSeconds: 20,
    rows: [{ day: '2026-11-25', queueId: 'reception', queueName: 'Reception', offered: 3, answered: 2, abandoned: 1, avgWaitSeconds: 18.5, maxWaitSeconds: 25, serviceLevel: 0.333 }],
    attendants: [{ username: 'anna', name: 'Anna', answered: 2, talkSeconds: 100 }],
  };

  it('loads the last seven days, shows the rows, and refuses a range too long', async () => {
    const api = { report: vi.fn(async () => report), reportCSV: vi.fn(async () => 'day\n') };
    render(ReportsTab, { api, today: '2026-11-25' });
    expect(await screen.findByText('Reception')).toBeTruthy();
    expect(api.report).toHaveBeenCalledWith('2026-11-19', '2026-11-25');
    expect(screen.getByText('Anna')).toBeTruthy();
    expect(screen.getByText('01:40')).toBeTruthy();

    await fireEvent.input(screen.getByLabelText('From'), { target: { value: '2026-01-01' } });
    expect(screen.getByRole('alert').textContent).toContain('at most 92 days');
    expect((screen.getByRole('button', { name: 'Show' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
