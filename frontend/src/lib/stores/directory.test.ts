import { describe, expect, it, vi } from 'vitest';
import type { Contact, NewContact, SearchResult } from '../api/types';
import { DirectoryStore, normalizeContact } from './directory.svelte';

function contact(id: string, extra: Partial<Contact> = {}): Contact {
  return {
    id,
    displayName: id,
    visibility: 'public',
    source: 'local',
    updated: '2025-11-25T10:00:00Z',
    ...extra,
  };
}

const hits = (...cs: Contact[]): SearchResult[] => cs.map((c, i) => ({ contact: c, score: 100 - i }));

/** A promise resolved or rejected from the test, to answer requests in any order. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup() {
  const api = {
    search: vi.fn(async (_q: string, _limit: number): Promise<SearchResult[] | null> => []),
    get: vi.fn(async (id: string) => contact(id)),
    create: vi.fn(async (c: NewContact) => ({ ...contact('new-1'), ...c, owner: 'admin' }) as Contact),
    update: vi.fn(async (c: Contact) => ({ ...c, updated: '2025-11-25T11:00:00Z' })),
    remove: vi.fn(async (_id: string) => null),
  };
  const store = new DirectoryStore({ api, limit: 50 });
  return { store, api };
}

const ids = (store: DirectoryStore) => store.results.map((c) => c.id);

describe('DirectoryStore search', () => {
  it('passes the query and limit and keeps the server order', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('zoe'), contact('anna'), contact('marc')));
    await store.search('  dav ventes ');
    expect(api.search).toHaveBeenCalledWith('dav ventes', 50);
    expect(ids(store)).toEqual(['zoe', 'anna', 'marc']); // never re-sorted or re-filtered
    expect(store.query).toBe('  dav ventes ');
    expect(store.loading).toBe(false);
    expect(store.error).toBe('');
  });

  it('drops stale answers: the latest request wins even when answered first', async () => {
    const { store, api } = setup();
    const first = deferred<SearchResult[]>();
    const second = deferred<SearchResult[]>();
    const third = deferred<SearchResult[]>();
    api.search
      .mockReturnValueOnce(first.promise)
      .mockReturnValueOnce(second.promise)
      .mockReturnValueOnce(third.promise);

    const p1 = store.search('h');
    const p2 = store.search('he');
    const p3 = store.search('hel');
    expect(store.loading).toBe(true);

    third.resolve(hits(contact('helene')));
    await p3;
    expect(ids(store)).toEqual(['helene']);
    expect(store.resultsQuery).toBe('hel');
    expect(store.loading).toBe(false);

    // Older answers arrive late: ignored, and they do not turn loading back on or off.
    second.resolve(hits(contact('henri'), contact('helene')));
    first.reject(new Error('timeout'));
    await Promise.all([p1, p2]);
    expect(ids(store)).toEqual(['helene']);
    expect(store.error).toBe('');
    expect(store.loading).toBe(false);
  });

  it('keeps loading while the latest request is pending, even if an older one answers', async () => {
    const { store, api } = setup();
    const first = deferred<SearchResult[]>();
    const second = deferred<SearchResult[]>();
    api.search.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    void store.search('a');
    const p2 = store.search('ab');
    first.resolve(hits(contact('a')));
    await Promise.resolve();
    await Promise.resolve();
    expect(store.loading).toBe(true);
    expect(ids(store)).toEqual([]);
    second.resolve(hits(contact('ab')));
    await p2;
    expect(ids(store)).toEqual(['ab']);
    expect(store.loading).toBe(false);
  });

  it('an empty query clears the results without asking and cancels a pending search', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('a')));
    await store.search('a');
    const late = deferred<SearchResult[]>();
    api.search.mockReturnValueOnce(late.promise);
    const p = store.search('ab');
    await store.search('   ');
    expect(api.search).toHaveBeenCalledTimes(2);
    late.resolve(hits(contact('ab')));
    await p;
    expect(ids(store)).toEqual([]);
    expect(store.loading).toBe(false);
  });

  it('reports a failed search in error, clears it on the next success, and never rejects', async () => {
    const { store, api } = setup();
    api.search.mockRejectedValueOnce(new Error('directory unavailable'));
    await expect(store.search('x')).resolves.toBeUndefined();
    expect(store.error).toBe('directory unavailable');
    expect(store.results).toEqual([]);
    expect(store.loading).toBe(false);

    api.search.mockResolvedValueOnce(hits(contact('x')));
    await store.refresh();
    expect(store.error).toBe('');
    expect(ids(store)).toEqual(['x']);
  });

  it('normalizes null slices and maps from Go', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce([
      { contact: { ...contact('a'), phones: null, emails: null, custom: null, displayName: '', firstName: 'Anna', lastName: 'Berg' }, score: 1 },
    ]);
    await store.search('anna');
    expect(store.results[0]).toMatchObject({ phones: [], emails: [], custom: {}, displayName: 'Anna Berg' });
    api.search.mockResolvedValueOnce(null);
    await store.search('nobody');
    expect(store.results).toEqual([]);
  });
});

describe('DirectoryStore select', () => {
  it('selects from the results without a round trip, and clears with null', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('a'), contact('b', { jobTitle: 'Buyer' })));
    await store.search('x');
    await store.select('b');
    expect(store.selected?.jobTitle).toBe('Buyer');
    expect(api.get).not.toHaveBeenCalled();
    await store.select(null);
    expect(store.selected).toBeNull();
  });

  it('fetches a contact that is not in the results; the latest select wins', async () => {
    const { store, api } = setup();
    const slow = deferred<Contact>();
    api.get.mockReturnValueOnce(slow.promise);
    const p1 = store.select('far');
    await store.select('near');
    expect(store.selected?.id).toBe('near');
    slow.resolve(contact('far'));
    await p1;
    expect(store.selected?.id).toBe('near');
  });

  it('rejects with the server message when the contact cannot be fetched', async () => {
    const { store, api } = setup();
    api.get.mockRejectedValueOnce(new Error('contact not found'));
    await expect(store.select('gone')).rejects.toThrow('contact not found');
    expect(store.selected).toBeNull();
  });

  it('refreshes the selected contact when a search brings it back changed', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('a', { jobTitle: 'Old' })));
    await store.search('a');
    await store.select('a');
    api.search.mockResolvedValueOnce(hits(contact('a', { jobTitle: 'New' })));
    await store.refresh();
    expect(store.selected?.jobTitle).toBe('New');
  });
});

describe('DirectoryStore changes', () => {
  it('create selects the new contact and re-runs the current search', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits());
    await store.search('helene');
    const created = { ...contact('new-1'), displayName: 'Hélène Dubois' };
    api.create.mockResolvedValueOnce(created);
    api.search.mockResolvedValueOnce(hits(created));
    const input: NewContact = { displayName: 'Hélène Dubois', visibility: 'public' };
    const res = await store.create(input);
    expect(api.create).toHaveBeenCalledWith(input);
    expect(res.id).toBe('new-1');
    expect(store.selected?.id).toBe('new-1');
    expect(api.search).toHaveBeenLastCalledWith('helene', 50);
    expect(ids(store)).toEqual(['new-1']);
  });

  it('create rejects with the server message and changes nothing', async () => {
    const { store, api } = setup();
    api.create.mockRejectedValueOnce(new Error('displayName: longer than 200 characters'));
    await expect(store.create({ displayName: 'x'.repeat(201), visibility: 'public' })).rejects.toThrow(
      'displayName: longer than 200 characters',
    );
    expect(store.selected).toBeNull();
    expect(api.search).not.toHaveBeenCalled();
  });

  it('update replaces the contact in the results and the details', async () => {
    const { store, api } = setup();
    const a = contact('a', { jobTitle: 'Clerk' });
    api.search.mockResolvedValueOnce(hits(a, contact('b')));
    await store.search('x');
    await store.select('a');
    const refreshed = deferred<SearchResult[]>();
    api.search.mockReturnValueOnce(refreshed.promise);
    const p = store.update({ ...a, jobTitle: 'Head of sales' });
    await vi.waitFor(() => expect(store.selected?.jobTitle).toBe('Head of sales'));
    expect(store.results[0].jobTitle).toBe('Head of sales'); // at once, before the new search answers
    refreshed.resolve(hits({ ...a, jobTitle: 'Head of sales' }, contact('b')));
    await p;
    expect(ids(store)).toEqual(['a', 'b']);
  });

  it('remove drops the contact, clears the details if it was shown, and re-searches', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('a'), contact('b')));
    await store.search('x');
    await store.select('a');
    api.search.mockResolvedValueOnce(hits(contact('b')));
    await store.remove('a');
    expect(api.remove).toHaveBeenCalledWith('a');
    expect(store.selected).toBeNull();
    expect(ids(store)).toEqual(['b']);
  });

  it('remove keeps another selected contact', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('a'), contact('b')));
    await store.search('x');
    await store.select('b');
    api.search.mockResolvedValueOnce(hits(contact('b')));
    await store.remove('a');
    expect(store.selected?.id).toBe('b');
  });

  it('a failed remove rejects and keeps everything', async () => {
    const { store, api } = setup();
    api.search.mockResolvedValueOnce(hits(contact('a')));
    await store.search('x');
    await store.select('a');
    api.remove.mockRejectedValueOnce(new Error('directory: forbidden'));
    await expect(store.remove('a')).rejects.toThrow('directory: forbidden');
    expect(ids(store)).toEqual(['a']);
    expect(store.selected?.id).toBe('a');
  });
});

describe('DirectoryStore users', () => {
  it('forgets the previous user’s search and selection when another user signs in', async () => {
    const { store, api } = setup();
    store.bindUser('sophie');
    api.search.mockResolvedValueOnce(hits(contact('private-1', { visibility: 'private' })));
    await store.search('p');
    await store.select('private-1');
    store.bindUser('sophie');
    expect(ids(store)).toEqual(['private-1']);
    store.bindUser('marc');
    expect(store.query).toBe('');
    expect(store.results).toEqual([]);
    expect(store.selected).toBeNull();
  });
});

describe('normalizeContact', () => {
  it('drops empty phones and defaults visibility and source', () => {
    const c = normalizeContact({
      ...contact('a'),
      phones: [{ type: 'work', number: '' }, { type: 'mobile', number: '+32 470 00 00 00' }],
      visibility: '' as never,
      source: '' as never,
    });
    expect(c.phones).toEqual([{ type: 'mobile', number: '+32 470 00 00 00' }]);
    expect(c.visibility).toBe('public');
    expect(c.source).toBe('local');
  });
});
