import { render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../api/history';
import { i18n } from '../../i18n/index.svelte';
import { historyStore } from '../../stores/history.svelte';
import History from './History.svelte';

function entry(id: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    callId: `c${id}`,
    direction: 'out',
    callerNumber: '2999',
    outcome: 'missed',
    started: '2026-11-25T09:00:00Z',
    ended: '2026-11-25T09:01:00Z',
    ...extra,
  };
}

describe('History (O2)', () => {
  afterEach(() => {
    historyStore.entries = [];
    i18n.setLocale('en');
  });

  it("shows why a call failed in the attendant's language, and old free-text reasons as stored", async () => {
    await i18n.setLocale('fr');
    render(History);
    historyStore.entries = [
      entry(1, { reason: 'not found' }),
      entry(2, { outcome: 'recalled', reason: 'attendant went offline', destination: '301' }),
      entry(3, { reason: '407 Proxy Authentication Required' }),
      entry(4, { outcome: 'answered' }),
    ];
    await tick();
    const items = screen.getAllByRole('button');
    expect(items).toHaveLength(4);
    expect(items[0].textContent).toContain('numéro introuvable');
    expect(items[0].getAttribute('aria-label')).toContain('numéro introuvable');
    expect(items[1].textContent).toContain("le standardiste s'est déconnecté");
    expect(items[2].textContent).toContain('407 Proxy Authentication Required');
    expect(items[3].querySelector('.reason')).toBeNull();
  });
});
