import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stats } from '../../api/stats';
import type { CallReport } from '../../api/stats';
import { i18n } from '../../i18n/index.svelte';
import { StatsStore } from '../../stores/stats.svelte';
import ReportsTab from './ReportsTab.svelte';
import StatsLine from './StatsLine.svelte';
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

describe('per-queue service-level goals', () => {
  const goals: Stats = {
    ...today,
    queues: [
      { ...today.queues![0], serviceLevel: 0.85, serviceLevelSeconds: 30, serviceLevelTarget: 90 },
      { ...today.queues![1], offered: 2, answered: 2, serviceLevel: 0.5, serviceLevelSeconds: 60, serviceLevelTarget: 50 },
    ],
  };

  it('the wallboard marks each queue against its own target and says which goal', async () => {
    const store = new StatsStore({ api: { today: vi.fn(async () => goals) }, on: () => () => undefined });
    store.wallboardOpen = true;
    render(Wallboard, { store });
    const dialog = await screen.findByRole('dialog', { name: 'Wallboard' });
    const reception = await within(dialog).findByRole('article', { name: 'Reception' });
    const level = within(reception).getByTestId('wb-level');
    expect(level.textContent).toContain('85%');
    expect(level.textContent).toContain('Below target'); // 85 % < 90 %, though above the usual 80 %
    expect(within(reception).getByTestId('wb-goal').textContent).toBe('Target 90% within 30 s');
    const sales = within(dialog).getByRole('article', { name: 'Sales' });
    expect(within(sales).getByTestId('wb-level').textContent).toContain('On target'); // 50 % ≥ 50 %
    expect(within(dialog).getByText(/each queue's threshold/)).toBeTruthy();
  });

  it('the queue header line is marked when a queue is below its own target, and names it', async () => {
    const store = new StatsStore({ api: { today: vi.fn(async () => goals) }, on: () => () => undefined });
    render(StatsLine, { store });
    const line = await screen.findByTestId('queue-stats');
    expect(line.querySelector('.level')!.classList.contains('low')).toBe(true);
    expect(line.title).toContain('Reception: 85% (Target 90% within 30 s) – Below target');
    expect(line.title).toContain('Sales: 50% (Target 50% within 60 s)');
    expect(line.title).not.toContain('Sales: 50% (Target 50% within 60 s) –');
  });

  it('a report row is compared with its queue\'s target', async () => {
    const rows = [
      { day: '2026-11-25', queueId: 'reception', queueName: 'Reception', offered: 3, answered: 2, abandoned: 1, avgWaitSeconds: 18.5, maxWaitSeconds: 25, serviceLevel: 0.85, serviceLevelSeconds: 30, serviceLevelTarget: 90 },
      { day: '2026-11-25', queueId: 'sales', queueName: 'Sales', offered: 2, answered: 2, abandoned: 0, avgWaitSeconds: 4, maxWaitSeconds: 5, serviceLevel: 0.5, serviceLevelSeconds: 60, serviceLevelTarget: 50 },
    ];
    const report: CallReport = { from: '2026-11-25', to: '2026-11-25', serviceLevelSeconds: 20, rows, attendants: [] };
    render(ReportsTab, { api: { report: vi.fn(async () => report), reportCSV: vi.fn() }, today: '2026-11-25' });
    const reception = (await screen.findByText('Reception')).closest('tr')!;
    const cell = reception.querySelector('td.low')!;
    expect(cell.textContent).toContain('85%');
    expect(cell.getAttribute('title')).toBe('Target 90% within 30 s – Below target');
    const sales = screen.getByText('Sales').closest('tr')!;
    expect(sales.querySelector('td.low')).toBeNull();
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
