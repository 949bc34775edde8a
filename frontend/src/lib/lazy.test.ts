import { afterEach, describe, expect, it } from 'vitest';
import { lazy } from './lazy';
import { notices } from './stores/notices.svelte';

describe('lazy', () => {
  afterEach(() => notices.clear());

  it('loads once, on first use', async () => {
    let loads = 0;
    const load = lazy(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });

  it('reports a failed load to the attendant and tries again on next use', async () => {
    let fail = true;
    const load = lazy(async () => {
      if (fail) throw new Error('chunk missing');
      return 'view';
    });
    await expect(load()).rejects.toThrow('chunk missing');
    expect(notices.items.map((n) => n.text)).toEqual(['Action failed: chunk missing']);
    fail = false;
    await expect(load()).resolves.toBe('view');
  });
});
