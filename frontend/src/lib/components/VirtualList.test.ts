import { render } from '@testing-library/svelte';
import { createRawSnippet, flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import VirtualList from './VirtualList.svelte';

interface Item {
  id: string;
  name: string;
}

const row = createRawSnippet((item: () => Item, index: () => number) => ({
  render: () => `<li data-id="${item().id}" data-index="${index()}">${item().name}</li>`,
}));

const many = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, name: `Contact ${i}` }));

describe('VirtualList', () => {
  it('renders only a screenful of 100 000 rows and keeps the full scroll height', () => {
    const items = many(100_000);
    const { container } = render(VirtualList<Item>, {
      props: { items, key: (c: Item) => c.id, rowHeight: 40, row, 'aria-label': 'Results' },
    });
    const ul = container.querySelector('ul')!;
    const rows = ul.querySelectorAll('li');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
    expect(ul.getAttribute('aria-label')).toBe('Results');
    const rendered = rows.length;
    // The padding stands in for the rows not rendered, so the scrollbar is right.
    expect(parseFloat(ul.style.paddingBottom)).toBe((items.length - rendered) * 40);
  });

  it('scrolls a far row into the rendered window', () => {
    const items = many(100_000);
    const { container, component } = render(VirtualList<Item>, {
      props: { items, key: (c: Item) => c.id, rowHeight: 40, row },
    });
    const api = component as unknown as { scrollToIndex: (i: number) => void };
    api.scrollToIndex(54_321);
    flushSync();
    expect(container.querySelector('li[data-id="c54321"]')).not.toBeNull();
    expect(container.querySelector('li[data-id="c0"]')).toBeNull();
  });

  it('follows a shorter list', async () => {
    const { container, rerender } = render(VirtualList<Item>, {
      props: { items: many(1000), key: (c: Item) => c.id, rowHeight: 40, row },
    });
    await rerender({ items: many(3) });
    expect(container.querySelectorAll('li').length).toBe(3);
    expect(container.querySelector('ul')!.style.paddingBottom).toBe('0px');
  });
});

describe('VirtualList onnearend', () => {
  it('is told when the last rows come into the rendered window', () => {
    const onnearend = vi.fn();
    const { component } = render(VirtualList<Item>, {
      props: { items: many(100_000), key: (c: Item) => c.id, rowHeight: 40, row, onnearend },
    });
    flushSync();
    expect(onnearend).not.toHaveBeenCalled();
    (component as unknown as { scrollToIndex: (i: number) => void }).scrollToIndex(99_999);
    flushSync();
    expect(onnearend).toHaveBeenCalled();
  });
});
