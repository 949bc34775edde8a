import { describe, expect, it, vi } from 'vitest';
import type { Contact, FavoriteGroup, FavoriteGroupView } from '../api/types';
import { DEFAULT_FIELDS, FavoritesStore, visibleFields } from './favorites.svelte';

function contact(id: string, extra: Partial<Contact> = {}): Contact {
  return { id, displayName: id, visibility: 'public', source: 'local', updated: '2025-11-25T10:00:00Z', ...extra };
}

const directory = new Map(['anna', 'marc', 'zoe', 'paul'].map((id) => [id, contact(id)]));

/** What the server answers for saved groups: contacts resolved in contactIds order. */
function resolve(groups: FavoriteGroup[]): FavoriteGroupView[] {
  return groups.map((g) => {
    const ids = g.contactIds.filter((id) => directory.has(id));
    return { ...g, contactIds: ids, contacts: ids.map((id) => directory.get(id)!) };
  });
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

function setup(initial: FavoriteGroup[] = [{ id: 'default', name: '', contactIds: [], fields: [] }]) {
  const api = {
    get: vi.fn(async (): Promise<FavoriteGroupView[] | null> => resolve(initial)),
    save: vi.fn(async (groups: FavoriteGroup[]): Promise<FavoriteGroupView[] | null> => resolve(groups)),
  };
  const onSaveError = vi.fn();
  const storage = memoryStorage();
  const store = new FavoritesStore({ api, onSaveError, storage });
  return { store, api, onSaveError, storage };
}

const ids = (store: FavoritesStore, groupId = 'default') => store.group(groupId)?.contactIds;

describe('FavoritesStore load', () => {
  it('loads the groups, normalizes null slices and remembers the tab per user', async () => {
    const { store, api, storage } = setup();
    api.get.mockResolvedValueOnce([
      { id: 'default', name: '', contactIds: null, fields: null, contacts: null } as unknown as FavoriteGroupView,
      { id: 'it', name: 'IT', contactIds: ['marc'], fields: [], contacts: [contact('marc', { phones: null })] },
    ]);
    storage.setItem('concierge.favorites.activeGroup.admin', 'it');
    expect(store.active).toBeNull();
    await store.load('admin');
    expect(store.loaded).toBe(true);
    expect(store.groups.map((g) => g.id)).toEqual(['default', 'it']);
    expect(store.group('default')).toMatchObject({ contactIds: [], fields: [], contacts: [] });
    expect(store.group('it')!.contacts[0].phones).toEqual([]);
    expect(store.active?.id).toBe('it');
    expect(store.isFavorite('marc')).toBe(true);
    expect(store.isFavorite('anna')).toBe(false);
    expect(store.groupsOf('marc').map((g) => g.id)).toEqual(['it']);

    store.setActive('default');
    expect(storage.m.get('concierge.favorites.activeGroup.admin')).toBe('default');
    store.setActive('nope'); // unknown: ignored
    expect(store.active?.id).toBe('default');
  });

  it('keeps the error when the groups cannot be loaded, and changes nothing until loaded', async () => {
    const { store, api } = setup();
    api.get.mockRejectedValueOnce(new Error('switchboard unreachable'));
    await store.load('admin');
    expect(store.loaded).toBe(false);
    expect(store.error).toBe('switchboard unreachable');
    await store.add('anna', 'default');
    expect(store.createGroup('IT')).toBe('');
    expect(api.save).not.toHaveBeenCalled();
    await store.load();
    expect(store.loaded).toBe(true);
    expect(store.error).toBe('');
  });

  it('reset() forgets everything and drops answers still in flight', async () => {
    const { store, api } = setup();
    await store.load('admin');
    const late = deferred<FavoriteGroupView[]>();
    api.save.mockReturnValueOnce(late.promise);
    const p = store.add('anna', 'default');
    store.reset();
    late.resolve(resolve([{ id: 'default', name: '', contactIds: ['anna'], fields: [] }]));
    await p;
    expect(store.groups).toEqual([]);
    expect(store.loaded).toBe(false);
    expect(store.isFavorite('anna')).toBe(false);
  });
});

describe('FavoritesStore changes', () => {
  it('adds, removes and toggles: optimistic, one Save of the whole list each', async () => {
    const { store, api } = setup([
      { id: 'default', name: '', contactIds: ['marc'], fields: [] },
      { id: 'it', name: 'IT', contactIds: [], fields: ['name', 'phones'] },
    ]);
    await store.load('admin');

    const p = store.add('anna', 'default', contact('anna'));
    // Shown at once, before the server answers.
    expect(ids(store)).toEqual(['marc', 'anna']);
    expect(store.group('default')!.contacts.map((c) => c.id)).toEqual(['marc', 'anna']);
    await p;
    expect(api.save).toHaveBeenLastCalledWith([
      { id: 'default', name: '', contactIds: ['marc', 'anna'], fields: [] },
      { id: 'it', name: 'IT', contactIds: [], fields: ['name', 'phones'] },
    ]);

    await store.add('anna', 'default'); // already there: nothing to save
    expect(api.save).toHaveBeenCalledTimes(1);

    // A contact already in another group is shown at once too (its copy is reused).
    const p2 = store.add('marc', 'it');
    expect(store.group('it')!.contacts.map((c) => c.id)).toEqual(['marc']);
    await p2;

    await store.toggle('marc', 'default');
    expect(ids(store)).toEqual(['anna']);
    expect(store.groupsOf('marc').map((g) => g.id)).toEqual(['it']);
    await store.toggle('zoe', 'it', contact('zoe'));
    expect(ids(store, 'it')).toEqual(['marc', 'zoe']);

    await store.remove('marc', 'it');
    await store.remove('marc', 'it'); // not there: nothing to save
    expect(ids(store, 'it')).toEqual(['zoe']);
    expect(api.save).toHaveBeenCalledTimes(5);
    expect(api.save.mock.calls.at(-1)![0][1].contactIds).toEqual(['zoe']);
  });

  it('moves a contact within its group, clamped to the ends', async () => {
    const { store, api } = setup([{ id: 'default', name: '', contactIds: ['anna', 'marc', 'zoe'], fields: [] }]);
    await store.load('admin');
    await store.move('zoe', 'default', -1);
    expect(ids(store)).toEqual(['anna', 'zoe', 'marc']);
    expect(store.group('default')!.contacts.map((c) => c.id)).toEqual(['anna', 'zoe', 'marc']);
    await store.move('anna', 'default', -1); // already first
    await store.move('anna', 'default', 5);
    expect(ids(store)).toEqual(['zoe', 'marc', 'anna']);
    expect(api.save).toHaveBeenCalledTimes(2);
  });

  it('serializes saves: one at a time, later changes coalesced, the latest state wins', async () => {
    const { store, api } = setup();
    await store.load('admin');
    const first = deferred<FavoriteGroupView[] | null>();
    api.save.mockReturnValueOnce(first.promise);

    const p1 = store.add('anna', 'default', contact('anna'));
    await vi.waitFor(() => expect(api.save).toHaveBeenCalledTimes(1));
    expect(api.save.mock.calls[0][0][0].contactIds).toEqual(['anna']);
    expect(store.saving).toBe(true);
    const p2 = store.add('marc', 'default', contact('marc'));
    const p3 = store.add('zoe', 'default', contact('zoe'));
    await Promise.resolve();
    expect(api.save).toHaveBeenCalledTimes(1); // the others wait for the first one

    // The first answer does not overwrite the newer changes shown meanwhile.
    first.resolve(resolve([{ id: 'default', name: '', contactIds: ['anna'], fields: [] }]));
    await p1;
    expect(ids(store)).toEqual(['anna', 'marc', 'zoe']);

    await Promise.all([p2, p3]);
    expect(api.save).toHaveBeenCalledTimes(2); // marc and zoe went together
    expect(api.save.mock.calls[1][0][0].contactIds).toEqual(['anna', 'marc', 'zoe']);
    expect(ids(store)).toEqual(['anna', 'marc', 'zoe']);
    expect(store.saving).toBe(false);
  });

  it('rolls back to what the server confirmed and says so when a save is refused', async () => {
    const { store, api, onSaveError } = setup([{ id: 'default', name: '', contactIds: ['marc'], fields: [] }]);
    await store.load('admin');
    const refused = deferred<FavoriteGroupView[] | null>();
    api.save.mockReturnValueOnce(refused.promise);

    const p1 = store.add('anna', 'default', contact('anna'));
    const p2 = store.remove('marc', 'default'); // made on top of the refused change
    expect(ids(store)).toEqual(['anna']);
    refused.reject(new Error('favorites: invalid: group "": contact anna: not found'));
    await Promise.all([p1, p2]);

    expect(ids(store)).toEqual(['marc']);
    expect(store.isFavorite('anna')).toBe(false);
    expect(store.error).toContain('contact anna: not found');
    expect(onSaveError).toHaveBeenCalledTimes(1);
    expect(api.save).toHaveBeenCalledTimes(1); // the queued change went with the rollback

    // The next change starts from the confirmed state and clears the error.
    await store.add('zoe', 'default');
    expect(api.save.mock.calls[1][0][0].contactIds).toEqual(['marc', 'zoe']);
    expect(store.error).toBe('');
  });

  it('shows what the server resolved: contacts gone from the directory are dropped', async () => {
    const { store } = setup([{ id: 'default', name: '', contactIds: ['anna'], fields: [] }]);
    await store.load('admin');
    await store.add('ghost', 'default', contact('ghost'));
    expect(ids(store)).toEqual(['anna']);
    expect(store.group('default')!.contacts.map((c) => c.id)).toEqual(['anna']);
  });

  it('forgets a deleted contact and refreshes an edited one without saving', async () => {
    const { store, api } = setup([{ id: 'default', name: '', contactIds: ['anna', 'marc'], fields: [] }]);
    await store.load('admin');
    store.refreshContact(contact('anna', { displayName: 'Anna B.', phones: null }));
    expect(store.group('default')!.contacts[0].displayName).toBe('Anna B.');
    store.forget('marc');
    expect(ids(store)).toEqual(['anna']);
    expect(api.save).not.toHaveBeenCalled();
  });
});

describe('FavoritesStore groups', () => {
  it('creates, renames and deletes groups; the last group cannot be deleted', async () => {
    const { store, api } = setup([{ id: 'default', name: '', contactIds: ['anna'], fields: [] }]);
    await store.load('admin');

    expect(store.createGroup('   ')).toBe('');
    const id = store.createGroup('  IT  ');
    expect(id).not.toBe('');
    expect(store.groups.map((g) => g.name)).toEqual(['', 'IT']);
    await store.settled();
    const sent = api.save.mock.calls.at(-1)![0];
    expect(sent[1]).toEqual({ id, name: 'IT', contactIds: [], fields: [] });
    expect(id.length).toBeLessThanOrEqual(64);

    await store.renameGroup(id, ' Support ');
    expect(store.group(id)!.name).toBe('Support');
    await store.renameGroup(id, 'Support'); // unchanged: nothing to save
    expect(api.save).toHaveBeenCalledTimes(2);

    store.setActive(id);
    expect(store.deleteGroup(id)).toBe(true);
    await store.settled();
    expect(store.groups.map((g) => g.id)).toEqual(['default']);
    expect(store.active?.id).toBe('default'); // falls back to the first tab
    expect(ids(store)).toEqual(['anna']); // the contacts of other groups are untouched

    expect(store.deleteGroup('default')).toBe(false); // the last one stays
    expect(store.deleteGroup('nope')).toBe(false);
    expect(store.groups).toHaveLength(1);
    expect(api.save).toHaveBeenCalledTimes(3);
  });

  it('rolls back a created group that the server refuses', async () => {
    const { store, api, onSaveError } = setup();
    await store.load('admin');
    api.save.mockRejectedValueOnce(new Error('favorites: invalid: group 2: name longer than 100 characters'));
    store.createGroup('x'.repeat(100));
    await store.settled();
    expect(store.groups.map((g) => g.id)).toEqual(['default']);
    expect(onSaveError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('group 2') }));
  });

  it('sets the visible fields of a group (F5), the name always among them', async () => {
    const { store, api } = setup();
    await store.load('admin');
    expect(visibleFields(store.group('default'))).toEqual([...DEFAULT_FIELDS]);
    await store.setFields('default', ['phones', 'emails', 'bogus']);
    expect(api.save.mock.calls.at(-1)![0][0].fields).toEqual(['name', 'phones', 'emails']);
    expect(visibleFields(store.group('default'))).toEqual(['phones', 'emails']);
    await store.setFields('default', []);
    expect(store.group('default')!.fields).toEqual(['name']); // name only, not "the defaults"
    expect(visibleFields(store.group('default'))).toEqual([]);
  });
});
