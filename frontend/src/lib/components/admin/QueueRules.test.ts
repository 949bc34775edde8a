import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminAPI, QueueSettings } from '../../api/admin';
import { i18n } from '../../i18n/index.svelte';
import { AdminStore } from '../../stores/admin.svelte';
import { QueueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import QueueStateBadge from '../panels/QueueStateBadge.svelte';
import { fieldOf, parseRanges } from './fields';
import ManagementView from './ManagementView.svelte';
import { draftRules, rulesDraft } from './rules';

const reception: QueueSettings = {
  id: 'reception', name: 'Reception', numbers: ['100'], priority: 0, default: true, attendants: [],
  rules: { emergencyTarget: '112' },
};
const sales: QueueSettings = { id: 'sales', name: 'Sales', numbers: ['200'], priority: 1, default: false, attendants: [] };

function fakeAPI(): AdminAPI {
  return {
    users: vi.fn().mockResolvedValue([{ username: 'sue', name: 'Sue', role: 'supervisor', extension: '', queues: [] }]),
    createUser: vi.fn(),
    updateUser: vi.fn(),
    deleteUser: vi.fn(),
    queues: vi.fn().mockResolvedValue({ queues: [reception, sales], restartRequired: false }),
    createQueue: vi.fn(),
    updateQueue: vi.fn(),
    deleteQueue: vi.fn(),
    setQueueMode: vi.fn(async (id: string, mode: string) => ({ id, mode, state: mode === 'auto' ? 'open' : mode, restartRequired: false })),
  } as unknown as AdminAPI;
}

beforeEach(() => i18n.setLocale('en'));
afterEach(() => {
  session.user = null;
});

describe('queue rules (Q9) in the form', () => {
  it('parses opening hours as typed, or refuses them', () => {
    expect(parseRanges('8:00-12:00, 13:00 – 18:30')).toEqual([
      { from: '08:00', to: '12:00' },
      { from: '13:00', to: '18:30' },
    ]);
    expect(parseRanges('')).toEqual([]);
    expect(parseRanges('20:00-24:00')).toEqual([{ from: '20:00', to: '24:00' }]);
    expect(parseRanges('18:00-08:00')).toBeNull();
    expect(parseRanges('08:00-12:00, 11:00-14:00')).toBeNull();
    expect(parseRanges('morning')).toBeNull();
  });

  it('turns rules into a draft and back', () => {
    const rules = {
      hours: { timeZone: 'Europe/Paris', days: { mon: [{ from: '08:00', to: '18:00' }] }, closedDates: ['2026-12-25'] },
      whenClosed: 'forward' as const, closedTarget: '0612345678', overflowAfter: 120, overflowTarget: '200',
      noAttendantTarget: '', emergencyTarget: '112',
    };
    const d = rulesDraft(rules);
    expect(d.days.mon).toBe('08:00–18:00');
    expect(d.days.tue).toBe('');
    expect(draftRules(d)).toEqual({ rules, errors: {} });
    d.whenClosed = 'forward';
    d.closedTarget = ' ';
    d.overflowAfter = 30;
    d.overflowTarget = '';
    d.days.wed = 'all day';
    expect(draftRules(d).errors).toEqual({ hours: 'hoursInvalid', closedTarget: 'closedTargetRequired', overflow: 'overflowTargetRequired' });
  });

  it('puts the switchboard rule messages next to their field', () => {
    const fields = ['id', 'hours', 'closedTarget', 'overflow', 'emergencyTarget', 'rules'];
    expect(fieldOf('rules: hours: timeZone "Mars/Olympus" is not a known time zone', fields)).toBe('hours');
    expect(fieldOf('rules: whenClosed "forward" needs a closedTarget', fields)).toBe('closedTarget');
    expect(fieldOf('rules: overflowTarget needs overflowAfter', fields)).toBe('overflow');
    expect(fieldOf('rules: something new', fields)).toBe('rules');
  });

  it('an administrator saves opening hours and night service; bad hours are caught first', async () => {
    const api = fakeAPI();
    (api.updateQueue as ReturnType<typeof vi.fn>).mockResolvedValue({ queue: sales, restartRequired: false });
    const store = new AdminStore(api);
    store.tab = 'queues';
    render(ManagementView, { store });
    const table = await screen.findByRole('table', { name: 'Queues' });
    await within(table).findByText('Sales');
    await fireEvent.click(screen.getByRole('button', { name: 'Edit queue Sales' }));
    const dialog = await screen.findByRole('dialog', { name: /Sales/ });
    await fireEvent.click(within(dialog).getByLabelText('Opening hours'));
    await fireEvent.input(within(dialog).getByLabelText('Time zone'), { target: { value: 'Europe/Brussels' } });
    await fireEvent.input(within(dialog).getByLabelText('Saturday'), { target: { value: '09:00-noon' } });
    await fireEvent.change(within(dialog).getByLabelText('When closed'), { target: { value: 'forward' } });
    await fireEvent.input(within(dialog).getByLabelText('Night-service number'), { target: { value: '0612345678' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText(/08:00–12:00, 13:00–18:00, in order/)).toBeTruthy();
    expect(api.updateQueue).not.toHaveBeenCalled();

    await fireEvent.input(within(dialog).getByLabelText('Saturday'), { target: { value: '09:00-12:00' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateQueue).toHaveBeenCalled());
    const req = (api.updateQueue as ReturnType<typeof vi.fn>).mock.calls[0][0];
    expect(req.rules).toMatchObject({
      whenClosed: 'forward', closedTarget: '0612345678',
      hours: { timeZone: 'Europe/Brussels', days: { mon: [{ from: '08:00', to: '18:00' }], sat: [{ from: '09:00', to: '12:00' }] } },
    });
    expect(req.rules.hours.days.sun).toBeUndefined();
  }, 30_000); // a long form: label queries in jsdom are slow

  it('the service-level goal (Q10): the usual one is left to the switchboard, others are checked and sent', () => {
    const d = rulesDraft(null);
    expect([d.serviceLevelTarget, d.serviceLevelSeconds]).toEqual([80, 20]);
    expect(draftRules(d).rules).not.toHaveProperty('serviceLevelTarget');
    d.serviceLevelTarget = 90;
    d.serviceLevelSeconds = 30;
    expect(draftRules(d)).toMatchObject({ rules: { serviceLevelTarget: 90, serviceLevelSeconds: 30 }, errors: {} });
    expect(rulesDraft({ serviceLevelTarget: 95, serviceLevelSeconds: 45 })).toMatchObject({ serviceLevelTarget: 95, serviceLevelSeconds: 45 });
    for (const [target, seconds] of [[0, 20], [101, 20], [80, 4], [80, 601], [80.5, 20]]) {
      d.serviceLevelTarget = target;
      d.serviceLevelSeconds = seconds;
      expect(draftRules(d).errors).toEqual({ serviceLevel: 'serviceLevelInvalid' });
    }
    const fields = ['serviceLevel', 'rules'];
    expect(fieldOf('rules: serviceLevelSeconds 4: seconds between 5 and 600 (0 for the default 20)', fields)).toBe('serviceLevel');
    expect(fieldOf('rules: serviceLevelTarget 101: a percentage between 1 and 100', fields)).toBe('serviceLevel');
  });

  it('an administrator sets a queue\'s service-level goal in the queue form', async () => {
    const api = fakeAPI();
    (api.updateQueue as ReturnType<typeof vi.fn>).mockResolvedValue({ queue: reception, restartRequired: false });
    const store = new AdminStore(api);
    store.tab = 'queues';
    render(ManagementView, { store });
    const table = await screen.findByRole('table', { name: 'Queues' });
    await within(table).findByText('Reception');
    await fireEvent.click(screen.getByRole('button', { name: 'Edit queue Reception' }));
    const dialog = await screen.findByRole('dialog', { name: /Reception/ });
    const target = within(dialog).getByTestId('service-level-target') as HTMLInputElement;
    const seconds = within(dialog).getByTestId('service-level-seconds') as HTMLInputElement;
    expect([target.value, seconds.value]).toEqual(['80', '20']);
    await fireEvent.input(target, { target: { value: '101' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText(/between 1 and 100 %/)).toBeTruthy();
    expect(api.updateQueue).not.toHaveBeenCalled();

    await fireEvent.input(target, { target: { value: '90' } });
    await fireEvent.input(seconds, { target: { value: '30' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateQueue).toHaveBeenCalled());
    const req = (api.updateQueue as ReturnType<typeof vi.fn>).mock.calls[0][0];
    expect(req.rules).toMatchObject({ serviceLevelTarget: 90, serviceLevelSeconds: 30, emergencyTarget: '112' });
  }, 30_000);

  it('a supervisor reads the queues and sets their mode, but edits nothing', async () => {
    session.user = { username: 'sue', name: 'Sue', role: 'supervisor', extension: '', telephony: false };
    const api = fakeAPI();
    const store = new AdminStore(api);
    store.tab = 'queues';
    render(ManagementView, { store });
    const table = await screen.findByRole('table', { name: 'Queues' });
    await within(table).findByText('Sales');
    expect(screen.queryByRole('button', { name: 'Add queue' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit queue Sales' })).toBeNull();
    const salesMode = screen.getByLabelText('Mode of Sales') as HTMLSelectElement;
    // No emergency number for Sales: emergency cannot be chosen.
    expect((within(salesMode).getByRole('option', { name: 'Emergency' }) as HTMLOptionElement).disabled).toBe(true);
    await fireEvent.change(salesMode, { target: { value: 'closed' } });
    await waitFor(() => expect(api.setQueueMode).toHaveBeenCalledWith('sales', 'closed'));
    await waitFor(() => expect(store.queues.find((q) => q.id === 'sales')?.mode).toBe('closed'));

    (api.setQueueMode as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('queue reception has no emergency number'));
    await fireEvent.change(screen.getByLabelText('Mode of Reception'), { target: { value: 'emergency' } });
    expect((await screen.findByRole('alert')).textContent).toContain('no emergency number');
    expect((screen.getByLabelText('Mode of Reception') as HTMLSelectElement).value).toBe('auto');

    await fireEvent.click(screen.getByRole('tab', { name: 'Users' }));
    await screen.findByText('Sue');
    expect(screen.queryByRole('button', { name: 'Add user' })).toBeNull();
  });
});

describe('queue state in the queue panel header (Q9)', () => {
  function store() {
    const s = new QueueStore({ api: { snapshot: vi.fn(), pickup: vi.fn(), reserve: vi.fn(), answer: vi.fn(), reject: vi.fn(), setNote: vi.fn() }, on: () => () => {} });
    s.applySnapshot({
      seq: 1,
      queues: [
        { id: 'reception', name: 'Reception', priority: 0, mode: 'auto', state: 'open', calls: [] },
        { id: 'sales', name: 'Sales', priority: 0, mode: 'auto', state: 'open', calls: [{ id: 'c1', queueId: 'sales', callerNumber: '1', callerName: '', enteredAt: '', priority: 0, vip: false, note: '', offeredTo: '', recall: false, reservedBy: '', rejectedBy: [] }] },
      ],
      attendants: [],
    });
    return s;
  }

  it('follows queue.updated and call.forwarded', async () => {
    const s = store();
    render(QueueStateBadge, { store: s });
    expect(screen.queryByTestId('queue-state')).toBeNull();
    const opens = new Date();
    opens.setHours(23, 59, 0, 0);
    s.handleEvent({ seq: 2, type: 'queue.updated', time: '', queue: { id: 'sales', name: 'Sales', priority: 0, mode: 'auto', state: 'closed', until: opens.toISOString() } });
    s.handleEvent({ seq: 3, type: 'queue.updated', time: '', queue: { id: 'reception', name: 'Reception', priority: 0, mode: 'emergency', state: 'emergency' } });
    s.handleEvent({ seq: 4, type: 'call.forwarded', time: '', call: s.queues[1].calls![0], target: '0612', reason: 'closed' });
    const badges = await screen.findAllByTestId('queue-state');
    expect(badges.map((b) => b.textContent?.trim())).toEqual([
      `Reception: Emergency`,
      `Sales: Night service · opens ${i18n.time(opens, false)}`,
    ]);
    expect(s.waiting).toBe(0);
    s.handleEvent({ seq: 5, type: 'queue.updated', time: '', queue: { id: 'reception', name: 'Reception', priority: 0, mode: 'open', state: 'open' } });
    await waitFor(() => expect(screen.getAllByTestId('queue-state')).toHaveLength(1));
  });
});
