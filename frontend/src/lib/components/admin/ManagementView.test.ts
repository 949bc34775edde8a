import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminAPI, QueueSettings } from '../../api/admin';
import { i18n } from '../../i18n/index.svelte';
import { AdminStore } from '../../stores/admin.svelte';
import { session } from '../../stores/session.svelte';
import { fieldOf, splitNumbers } from './fields';
import ManagementView from './ManagementView.svelte';

const reception: QueueSettings = { id: 'reception', name: 'Reception', numbers: ['100'], priority: 0, default: true, attendants: ['alice'] };

function fakeAPI(): AdminAPI {
  return {
    users: vi.fn().mockResolvedValue([
      { username: 'admin', name: 'Administrator', role: 'admin', extension: '', queues: [] },
      { username: 'alice', name: 'Alice', role: 'attendant', extension: '201', queues: ['reception'] },
    ]),
    createUser: vi.fn(),
    updateUser: vi.fn(),
    deleteUser: vi.fn().mockResolvedValue(undefined),
    queues: vi.fn().mockResolvedValue({ queues: [reception], restartRequired: false }),
    createQueue: vi.fn(),
    updateQueue: vi.fn(),
    deleteQueue: vi.fn(),
    setQueueMode: vi.fn(),
  } as AdminAPI;
}

beforeEach(() => i18n.setLocale('en'));

describe('server messages find their field', () => {
  it('maps the first word of a message to a form field', () => {
    expect(fieldOf('password must have at least 8 characters', ['username', 'password'])).toBe('password');
    expect(fieldOf('user bob already exists', ['username', 'password'])).toBe('username');
    expect(fieldOf('number 200 is already routed to queue sales', ['id', 'number'])).toBe('number');
    expect(fieldOf('queue sales already exists', ['id', 'number'])).toBe('id');
    expect(fieldOf('switchboard unreachable: dial tcp', ['id', 'number'])).toBeNull();
    expect(splitNumbers(' 200, 201;  +33142000200 ')).toEqual(['200', '201', '+33142000200']);
  });
});

describe('ManagementView', () => {
  it('lists users, adds one, and shows a server error next to the field', async () => {
    const api = fakeAPI();
    const store = new AdminStore(api);
    render(ManagementView, { store });
    const table = await screen.findByRole('table', { name: 'Users' });
    await within(table).findByText('Alice');
    expect(within(table).getByText('Reception')).toBeTruthy(); // Alice's queue, by name

    (api.createUser as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('password must have at least 8 characters'));
    await fireEvent.click(screen.getByRole('button', { name: 'Add user' }));
    const dialog = await screen.findByRole('dialog', { name: 'New user' });
    // Client-side: username and password are required before anything is sent.
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText('Enter a username.')).toBeTruthy();
    expect(api.createUser).not.toHaveBeenCalled();

    await fireEvent.input(within(dialog).getByLabelText('Username'), { target: { value: 'bob' } });
    await fireEvent.input(within(dialog).getByLabelText('Name'), { target: { value: 'Bob' } });
    await fireEvent.input(within(dialog).getByLabelText('Password'), { target: { value: 'short' } });
    await fireEvent.change(within(dialog).getByLabelText('Role'), { target: { value: 'supervisor' } });
    await fireEvent.click(within(dialog).getByLabelText(/Reception/));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(dialog).findByText('password must have at least 8 characters');
    expect(within(dialog).getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');

    (api.createUser as ReturnType<typeof vi.fn>).mockResolvedValueOnce({
      username: 'bob', name: 'Bob', role: 'supervisor', extension: '', queues: ['reception'],
    });
    await fireEvent.input(within(dialog).getByLabelText('Password'), { target: { value: 'long-enough' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(table).findByText('Bob');
    expect(api.createUser).toHaveBeenLastCalledWith({
      username: 'bob', name: 'Bob', role: 'supervisor', extension: '', queues: ['reception'], password: 'long-enough',
    });
  });

  it('deletes a user after confirmation, never oneself', async () => {
    const api = fakeAPI();
    session.user = { username: 'admin', name: 'Administrator', role: 'admin', extension: '', telephony: false };
    render(ManagementView, { store: new AdminStore(api) });
    await screen.findByText('Alice');
    expect((screen.getByRole('button', { name: 'Delete Administrator' }) as HTMLButtonElement).disabled).toBe(true);
    session.user = null;
    await fireEvent.click(screen.getByRole('button', { name: 'Delete Alice' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Delete this user?' });
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('Alice')).toBeNull());
    expect(api.deleteUser).toHaveBeenCalledWith('alice');
  });

  it('shows the restart notice after a queue change and the duplicate-number error', async () => {
    const api = fakeAPI();
    const store = new AdminStore(api);
    render(ManagementView, { store });
    await screen.findByText('Alice');
    await fireEvent.click(screen.getByRole('tab', { name: 'Queues' }));
    const table = await screen.findByRole('table', { name: 'Queues' });
    expect(within(table).getByText('Reception')).toBeTruthy();
    expect(screen.queryByTestId('restart-notice')).toBeNull();

    (api.createQueue as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('number 100 is already routed to queue reception'));
    await fireEvent.click(screen.getByRole('button', { name: 'Add queue' }));
    const dialog = await screen.findByRole('dialog', { name: 'New queue' });
    await fireEvent.input(within(dialog).getByLabelText('ID'), { target: { value: 'sales' } });
    await fireEvent.input(within(dialog).getByLabelText('Name'), { target: { value: 'Sales' } });
    await fireEvent.input(within(dialog).getByLabelText('Numbers'), { target: { value: '100' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(dialog).findByText('number 100 is already routed to queue reception');

    const sales: QueueSettings = { id: 'sales', name: 'Sales', numbers: ['200', '201'], priority: 0, default: false, attendants: [] };
    (api.createQueue as ReturnType<typeof vi.fn>).mockResolvedValueOnce({ queue: sales, restartRequired: true });
    (api.queues as ReturnType<typeof vi.fn>).mockResolvedValue({ queues: [reception, sales], restartRequired: true });
    await fireEvent.input(within(dialog).getByLabelText('Numbers'), { target: { value: '200, 201' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(table).findByText('Sales');
    expect(api.createQueue).toHaveBeenLastCalledWith({
      id: 'sales', name: 'Sales', numbers: ['200', '201'], priority: 0, default: false,
      rules: expect.objectContaining({ hours: null, whenClosed: 'wait', overflowAfter: 0 }),
    });
    expect((await screen.findByTestId('restart-notice')).textContent).toContain(
      'Queue changes take effect after the switchboard restarts.',
    );
  });
});
