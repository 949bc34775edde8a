// Test helpers for switchboard lines: a line as the switchboard reports it, and the
// line.updated event that brings it into queueStore (always the next seq, so there is no
// counter to reset between tests).
import type { Line } from '../api/types';
import { queueStore } from './queue.svelte';

/** My answered incoming line `id`, started 30 s ago; `extra` overrides any field. */
export function sbLine(id: string, extra: Partial<Line> = {}): Line {
  return {
    id,
    callId: id,
    attendant: 'sophie',
    number: '+3225550100',
    name: 'Hélène Dubois',
    direction: 'in',
    state: 'active',
    note: '',
    startedAt: new Date(Date.now() - 30_000).toISOString(),
    ...extra,
  };
}

/** Applies `line` to queueStore as the switchboard's next line.updated event. */
export function lineUpdated(line: Line): void {
  queueStore.handleEvent({ seq: queueStore.seq + 1, type: 'line.updated', time: new Date().toISOString(), line, reason: '' });
}
