// O2: the history can be narrowed to the calls lost (missed, abandoned, dropped) or put through
// (transferred, recalled); picking one still fills the active number field (O3).
import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../api/history';
import { i18n } from '../../i18n/index.svelte';
import { historyStore } from '../../stores/history.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import History from './History.svelte';

function entry(id: number, outcome: string, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    callId: `c${id}`,
    direction: 'in',
    callerNumber: `20${id}`,
    callerName: `Caller ${id}`,
    outcome,
    started: '2026-11-25T09:00:00Z',
    ended: '2026-11-25T09:01:00Z',
    ...extra,
  };
}

const names = () => screen.queryAllByRole('button').map((b) => b.querySelector('.caller')?.textContent);

describe('History filter (O2)', () => {
  afterEach(() => {
    historyStore.entries = [];
    workspaceStore.clear();
  });

  it('shows all, only missed, or only transferred calls', async () => {
    i18n.setLocale('en');
    render(History);
    historyStore.entries = [
      entry(1, 'answered'),
      entry(2, 'missed'),
      entry(3, 'transferred', { destination: '301', destinationName: 'Jan Peeters' }),
      entry(4, 'abandoned'),
      entry(5, 'recalled', { destination: '302' }),
      entry(6, 'dropped'),
    ];
    await tick();
    const all = screen.getByRole('radio', { name: 'All' }) as HTMLInputElement;
    expect(all.checked).toBe(true);
    expect(screen.getByRole('group', { name: 'Show' })).toBeTruthy();
    expect(names()).toHaveLength(6);

    await fireEvent.click(screen.getByRole('radio', { name: 'Missed' }));
    expect(names()).toEqual(['Caller 2', 'Caller 4', 'Caller 6']);

    await fireEvent.click(screen.getByRole('radio', { name: 'Transferred' }));
    expect(names()).toEqual(['Caller 3', 'Caller 5']);
    await fireEvent.click(screen.getAllByRole('button')[0]);
    expect(workspaceStore.activeNumber).toBe('301');

    // Nothing of that kind: said so, the filter stays to go back.
    historyStore.entries = [entry(1, 'answered')];
    await tick();
    expect(names()).toEqual([]);
    expect(screen.getByText('No calls of this kind in the recent history.')).toBeTruthy();
    await fireEvent.click(all);
    expect(names()).toEqual(['Caller 1']);
  });
});
