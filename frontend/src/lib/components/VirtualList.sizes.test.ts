import { render } from '@testing-library/svelte';
import { createRawSnippet, tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import VirtualList from './VirtualList.svelte';

interface Item {
  id: string;
}

const row = createRawSnippet((item: () => Item) => ({ render: () => `<li>${item().id}</li>` }));
const many = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ id: `c${i}` }));

/** A layout where the list's viewport is 200 px high and a row 40 px. */
class FakeResizeObserver {
  constructor(private cb: ResizeObserverCallback) {}
  observe() {
    const entry = { contentRect: { height: 200 }, borderBoxSize: [{ blockSize: 40, inlineSize: 300 }] };
    queueMicrotask(() => this.cb([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver));
  }
  disconnect() {}
}

afterEach(() => vi.unstubAllGlobals());

describe('VirtualList shown again', () => {
  it('renders just the rows in view from the start, with the sizes seen last time', async () => {
    const props = { id: 'sized-list', items: many(1000), key: (c: Item) => c.id, rowHeight: 40, row };
    vi.stubGlobal('ResizeObserver', FakeResizeObserver);
    const first = render(VirtualList<Item>, { props });
    await tick();
    await tick();
    // 200 px of 40 px rows, plus 4 rows of overscan below.
    expect(first.container.querySelectorAll('li').length).toBe(9);
    first.unmount();

    // Shown again (the search field was cleared, then typed in): before any layout is known,
    // it renders what it showed last, not a guessed 800 px screenful (24 rows).
    vi.unstubAllGlobals();
    vi.stubGlobal('ResizeObserver', undefined);
    const again = render(VirtualList<Item>, { props });
    expect(again.container.querySelectorAll('li').length).toBe(9);

    // Another list does not take these sizes.
    const other = render(VirtualList<Item>, { props: { ...props, id: 'other-list' } });
    expect(other.container.querySelectorAll('li').length).toBe(24);
  });
});
