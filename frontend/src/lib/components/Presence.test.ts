import { render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContactPresence } from '../api/presence';
import { i18n } from '../i18n/index.svelte';
import { presenceStore } from '../stores/presence.svelte';
import Presence, { ago } from './Presence.svelte';

const fiveMinAgo = () => new Date(Date.now() - 5 * 60_000).toISOString();

/** Stubs the bridge: Presence.Get answers from `known`. */
function stubBridge(known: Record<string, Omit<ContactPresence, 'id'>>) {
  const asked: string[][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      let data: unknown = null;
      if (body.service === 'Presence' && body.method === 'Get') {
        const ids = body.args[0] as string[];
        asked.push(ids);
        data = ids.filter((id) => known[id]).map((id) => ({ id, ...known[id] }));
      }
      return new Response(JSON.stringify(data), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return asked;
}

describe('Presence dot', () => {
  beforeEach(() => i18n.setLocale('en'));
  afterEach(() => {
    presenceStore.stop();
    vi.unstubAllGlobals();
  });

  it('shows unknown first, then the presence when it arrives', async () => {
    const asked = stubBridge({ paul: { state: 'busy', source: 'blf' } });
    render(Presence, { id: 'paul' });
    const dot = screen.getByRole('img');
    expect(dot.getAttribute('aria-label')).toBe('Presence unknown');
    expect(dot.dataset.presence).toBe('unknown');
    await vi.waitFor(() => expect(dot.dataset.presence).toBe('busy'));
    expect(dot.getAttribute('aria-label')).toBe('On a call');
    expect(dot.getAttribute('title')).toBe('On a call');
    expect(dot.querySelector('path')).not.toBeNull(); // a glyph, not colour alone
    expect(asked).toEqual([['paul']]);
  });

  it('says the absence message and when a stale state was last known, in the active language', async () => {
    stubBridge({
      zoe: { state: 'away', message: 'Back at 2 pm', source: 'status' },
      marc: { state: 'busy', stale: true, updated: fiveMinAgo() },
    });
    await i18n.setLocale('fr');
    render(Presence, { id: 'zoe' });
    render(Presence, { id: 'marc' });
    await vi.waitFor(() => expect(screen.getAllByRole('img').map((d) => d.dataset.presence)).toEqual(['away', 'busy']));
    const [zoe, marc] = screen.getAllByRole('img');
    expect(zoe.getAttribute('aria-label')).toBe('Absent : Back at 2 pm');
    expect(marc.dataset.stale).toBe('true');
    expect(marc.getAttribute('aria-label')).toBe('Dernier état connu : En communication, il y a 5 minutes');
  });

  it('formats relative times per locale', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(ago('2026-11-25T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(ago('2026-11-25T09:00:00Z', now, 'de')).toBe('vor 3 Stunden');
    expect(ago('not a date', now, 'en')).toBe('');
  });
});
