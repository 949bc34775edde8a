import { describe, expect, it, vi } from 'vitest';
import type { SearchResult } from '../api/types';
import { DirectoryStore, MAX_RESULTS } from './directory.svelte';

// Paging of a long result list: the first keystroke asks for a few screens of rows, scrolling
// to the end asks for more of the same search, a new text starts again from the first page.
describe('DirectoryStore.loadMore', () => {
  const all = Array.from({ length: 10 }, (_, i) => ({
    contact: { id: `c${i}`, displayName: `Contact ${i}` },
    score: 1,
  })) as unknown as SearchResult[];
  const setup = () => {
    const search = vi.fn(async (_q: string, limit: number) => all.slice(0, limit));
    const store = new DirectoryStore({
      api: { search, get: vi.fn(), create: vi.fn(), update: vi.fn(), remove: vi.fn() },
      limit: 2,
    });
    return { store, search };
  };

  it('asks for more of the same search until the server has no more', async () => {
    const { store, search } = setup();
    await store.search('contact');
    expect(search).toHaveBeenLastCalledWith('contact', 2);
    expect(store.hasMore).toBe(true);

    await store.loadMore();
    expect(search).toHaveBeenLastCalledWith('contact', 8);
    expect(store.results.map((c) => c.id)).toEqual(all.slice(0, 8).map((r) => r.contact.id));

    await store.loadMore();
    expect(search).toHaveBeenLastCalledWith('contact', Math.min(MAX_RESULTS, 32));
    expect(store.results).toHaveLength(10);
    expect(store.hasMore).toBe(false);
    await store.loadMore();
    expect(search).toHaveBeenCalledTimes(3);
  });

  it('starts a new text from the first page; a refresh keeps the page', async () => {
    const { store, search } = setup();
    await store.search('contact');
    await store.loadMore();
    await store.refresh();
    expect(search).toHaveBeenLastCalledWith('contact', 8);
    await store.search('contact 1');
    expect(search).toHaveBeenLastCalledWith('contact 1', 2);
  });
});
