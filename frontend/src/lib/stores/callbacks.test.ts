import { describe, expect, it, vi } from 'vitest';
import { CALLBACKS_EVENT, type Callback } from '../api/callbacks';
import { BRIDGE_STATE_EVENT, type EventCallback } from '../api/transport';
import { Events } from '../api/types';
import { callback } from '../components/callbacks/testing';
import { CallbacksStore, MailAdminStore } from './callbacks.svelte';

function setup(list: () => Promise<Callback[] | null> = async () => [callback()]) {
  const handlers = new Map<string, EventCallback>();
  const on = vi.fn((name: string, cb: EventCallback) => {
    handlers.set(name, cb);
    return () => handlers.delete(name);
  });
  const api = {
    list: vi.fn(list),
    create: vi.fn(async (req: { forName: string; callerNumber: string }) =>
      callback({ id: 'cb-new', createdAt: '2026-11-26T10:00:00Z', forId: '', forName: req.forName, callerNumber: req.callerNumber }),
    ),
    done: vi.fn(async (id: string) => callback({ id, status: 'done', doneAt: '2026-11-26T11:00:00Z', doneBy: 'marc' })),
    reopen: vi.fn(async (id: string) => callback({ id })),
  };
  const store = new CallbacksStore({ api, on });
  const emit = (name: string, data: unknown) => handlers.get(name)?.(data);
  return { store, api, handlers, emit };
}

describe('CallbacksStore', () => {
  it('loads once on start, newest first, and splits open from done', async () => {
    const { store, api } = setup(async () => [
      callback({ id: 'old', createdAt: '2026-11-25T08:00:00Z', status: 'done', doneAt: '2026-11-25T09:00:00Z' }),
      callback({ id: 'new', createdAt: '2026-11-26T08:00:00Z' }),
    ]);
    await store.start();
    await store.start();
    expect(api.list).toHaveBeenCalledTimes(1);
    expect(store.items.map((c) => c.id)).toEqual(['new', 'old']);
    expect(store.open.map((c) => c.id)).toEqual(['new']);
    expect(store.done.map((c) => c.id)).toEqual(['old']);
  });

  it('takes every pushed change: a new request, then the same one done by someone else', async () => {
    const { store, emit } = setup();
    await store.start();
    emit(CALLBACKS_EVENT, callback({ id: 'cb-2', createdAt: '2026-11-26T09:30:00Z', callerName: 'Anne' }));
    expect(store.open.map((c) => c.id)).toEqual(['cb-2', 'cb-1']);
    emit(CALLBACKS_EVENT, callback({ id: 'cb-2', createdAt: '2026-11-26T09:30:00Z', status: 'done', doneByName: 'Marc' }));
    expect(store.open.map((c) => c.id)).toEqual(['cb-1']);
    expect(store.done[0]).toMatchObject({ id: 'cb-2', doneByName: 'Marc' });
    emit(CALLBACKS_EVENT, null); // junk is ignored
    expect(store.items).toHaveLength(2);
  });

  it('keeps a change pushed while the list is in flight (it is newer than the answer)', async () => {
    let answer!: (v: Callback[]) => void;
    const { store, emit } = setup(() => new Promise((r) => (answer = r)));
    const started = store.start();
    emit(CALLBACKS_EVENT, callback({ status: 'done', delivery: 'sent', deliveredTo: 'helene@example.com' }));
    answer([callback()]);
    await started;
    expect(store.items).toHaveLength(1);
    expect(store.items[0]).toMatchObject({ status: 'done', delivery: 'sent' });
  });

  it('reads the list again after the bridge or the switchboard comes back', async () => {
    const { store, api, emit } = setup();
    await store.start();
    emit(Events.connection, { state: 'connected' }); // no outage: nothing to do
    expect(api.list).toHaveBeenCalledTimes(1);
    emit(Events.connection, { state: 'offline' });
    emit(Events.connection, { state: 'connected' });
    await vi.waitFor(() => expect(api.list).toHaveBeenCalledTimes(2));
    emit(BRIDGE_STATE_EVENT, { connected: false });
    emit(BRIDGE_STATE_EVENT, { connected: true });
    await vi.waitFor(() => expect(api.list).toHaveBeenCalledTimes(3));
  });

  it('creates, marks done and reopens through the binding, showing the answer at once', async () => {
    const { store, api } = setup(async () => []);
    await store.start();
    const c = await store.create({ forName: 'Accounting', callerNumber: '+32470000000' });
    expect(api.create).toHaveBeenCalledWith({ forName: 'Accounting', callerNumber: '+32470000000' });
    expect(c.forName).toBe('Accounting');
    expect(store.open.map((x) => x.id)).toEqual(['cb-new']);
    await store.markDone('cb-new');
    expect(api.done).toHaveBeenCalledWith('cb-new');
    expect(store.open).toEqual([]);
    await store.reopen('cb-new');
    expect(store.open.map((x) => x.id)).toEqual(['cb-new']);
  });

  it('keeps the load error, fills missing fields, and forgets everything on stop', async () => {
    const { store, handlers } = setup(async () => Promise.reject(new Error('switchboard unreachable')));
    await store.start();
    expect(store.error).toBe('switchboard unreachable');
    expect(store.loaded).toBe(false);
    store.apply({ id: 'x', createdAt: '2026-11-26T09:00:00Z', status: 'open' } as Callback);
    expect(store.items[0]).toMatchObject({ forName: '', delivery: 'none', doneAt: null, message: '' });
    store.openDialog({ forName: 'Hélène' });
    expect(store.draft).toMatchObject({ forName: 'Hélène', callerNumber: '', message: '' });
    store.stop();
    expect(store.items).toEqual([]);
    expect(store.error).toBe('');
    expect(store.draft).toBeNull();
    expect(handlers.size).toBe(0);
  });
});

describe('MailAdminStore', () => {
  it('loads, saves and tests through the binding; a failed test never rejects', async () => {
    const settings = { host: 'smtp.example.com', port: 587, from: 'pbx@example.com', username: 'pbx', passwordSet: true, security: 'starttls' as const };
    const api = {
      mailSettings: vi.fn(async () => settings),
      saveMailSettings: vi.fn(async () => ({ ...settings, host: 'mail.example.com' })),
      testMail: vi.fn(async () => Promise.reject(new Error('535 authentication failed'))),
    };
    const s = new MailAdminStore(api);
    await s.load();
    expect(s.settings?.host).toBe('smtp.example.com');
    await s.save({ host: 'mail.example.com', port: 587, from: 'pbx@example.com', username: 'pbx', security: 'starttls' });
    expect(s.settings?.host).toBe('mail.example.com');
    await s.runTest('me@example.com');
    expect(api.testMail).toHaveBeenCalledWith('me@example.com');
    expect(s.testError).toBe('535 authentication failed');
    expect(s.testing).toBe(false);
  });
});
