import { describe, expect, it, vi } from 'vitest';
import type { AdminAPI, AdminUser, QueueSettings } from '../api/admin';
import type { SessionInfo } from '../api/types';
import { AdminStore } from './admin.svelte';

const reception: QueueSettings = { id: 'reception', name: 'Reception', numbers: [], priority: 0, default: true, attendants: [] };
const admin: AdminUser = { username: 'admin', name: 'Administrator', role: 'admin', extension: '', queues: [] };

function api(over: Partial<AdminAPI> = {}): AdminAPI {
  return {
    users: vi.fn().mockResolvedValue([admin]),
    createUser: vi.fn(),
    updateUser: vi.fn(),
    deleteUser: vi.fn().mockResolvedValue(undefined),
    queues: vi.fn().mockResolvedValue({ queues: [reception], restartRequired: false }),
    createQueue: vi.fn(),
    updateQueue: vi.fn(),
    deleteQueue: vi.fn(),
    setQueueMode: vi.fn(),
    ...over,
  } as AdminAPI;
}

const who = (role: SessionInfo['role'], telephony: boolean): SessionInfo => ({
  username: 'u',
  name: '',
  role,
  extension: telephony ? '201' : '',
  telephony,
});

describe('admin store (L2, A2, A4)', () => {
  it('shows the management views by default to an administrator or supervisor without an extension only', () => {
    const s = new AdminStore(api());
    expect(s.shown(who('admin', false))).toBe(true);
    expect(s.shown(who('admin', true))).toBe(false);
    // Supervisors get the tabs they may use: reports (A3).
    expect(s.shown(who('supervisor', false))).toBe(true);
    expect(s.shown(who('supervisor', true))).toBe(false);
    expect(AdminStore.tabs(who('supervisor', false))).toContain('reports');
    expect(AdminStore.tabs(who('attendant', false))).toEqual([]);
    expect(s.shown(who('attendant', true))).toBe(false);
    expect(s.shown(null)).toBe(false);
    // The avatar menu switches; a non-admin cannot be switched in.
    s.setShown(who('admin', true), true);
    expect(s.shown(who('admin', true))).toBe(true);
    s.setShown(who('attendant', true), true);
    expect(s.shown(who('attendant', true))).toBe(false);
    s.reset();
    expect(s.shown(who('admin', true))).toBe(false);
  });

  it('loads both lists, or keeps the error', async () => {
    const s = new AdminStore(api());
    await s.load();
    expect(s.users).toEqual([admin]);
    expect(s.queues).toEqual([reception]);
    expect(s.error).toBe('');
    const f = new AdminStore(api({ users: vi.fn().mockRejectedValue(new Error('only administrators can manage users and queues')) }));
    await f.load();
    expect(f.error).toContain('only administrators');
    expect(f.loading).toBe(false);
  });

  it('adds a user in order and rejects with the server message, changing nothing', async () => {
    const bob: AdminUser = { username: 'bob', name: 'Bob', role: 'attendant', extension: '202', queues: ['reception'] };
    const a = api({ createUser: vi.fn().mockResolvedValue(bob) });
    const s = new AdminStore(a);
    await s.load();
    await s.saveUser({ username: 'bob', name: 'Bob', role: 'attendant', password: 'secret-123' }, true);
    expect(s.users.map((u) => u.username)).toEqual(['admin', 'bob']);
    expect(a.queues).toHaveBeenCalledTimes(2); // attendants of the queues follow

    (a.createUser as ReturnType<typeof vi.fn>).mockRejectedValue(new Error('user bob already exists'));
    await expect(s.saveUser({ username: 'bob', name: '', role: 'attendant', password: 'x' }, true)).rejects.toThrow(
      'user bob already exists',
    );
    expect(s.users).toHaveLength(2);

    await s.deleteUser('bob');
    expect(a.deleteUser).toHaveBeenCalledWith('bob');
    expect(s.users.map((u) => u.username)).toEqual(['admin']);
  });

  it('keeps restartRequired from every queue answer', async () => {
    const sales: QueueSettings = { id: 'sales', name: 'Sales', numbers: ['200'], priority: 1, default: false, attendants: [] };
    const a = api({
      createQueue: vi.fn().mockResolvedValue({ queue: sales, restartRequired: true }),
      deleteQueue: vi.fn().mockResolvedValue({ queues: [reception], restartRequired: false }),
    });
    const s = new AdminStore(a);
    await s.load();
    (a.queues as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('offline'));
    await s.saveQueue({ id: 'sales', name: 'Sales', numbers: ['200'], priority: 1, default: false }, true);
    expect(s.restartRequired).toBe(true);
    expect(s.queues.map((q) => q.id)).toEqual(['reception', 'sales']);

    await s.deleteQueue('sales');
    expect(s.restartRequired).toBe(false);
    expect(s.queues.map((q) => q.id)).toEqual(['reception']);

    (a.createQueue as ReturnType<typeof vi.fn>).mockRejectedValue(new Error('number 200 is already routed to queue sales'));
    await expect(s.saveQueue({ id: 'x', name: 'X', numbers: ['200'], priority: 0, default: false }, true)).rejects.toThrow(
      'already routed',
    );
  });
});
