// An answered outgoing call (W4) offers the same call control as one from the queue: hold,
// blind transfer, consult and park; a ringing one only hang-up.
import { fireEvent, render, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Line } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import WorkspacePanel from './WorkspacePanel.svelte';

function outLine(state: Line['state']): Line {
  return {
    id: 'o-1',
    callId: 'o-1',
    attendant: 'sophie',
    number: '2001',
    name: '',
    direction: 'out',
    state,
    note: '',
    startedAt: new Date(Date.now() - 5_000).toISOString(),
  };
}

let seq = 0;
function update(line: Line) {
  queueStore.handleEvent({ seq: ++seq, type: 'line.updated', time: new Date().toISOString(), line, reason: '' });
}

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.applySnapshot({ seq: 0, queues: [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }], attendants: [] });
  seq = 0;
});
afterEach(() => {
  workspaceStore.clear();
  phoneStore.stop();
  queueStore.stop();
  session.user = null;
  vi.unstubAllGlobals();
});

describe('outgoing call control', () => {
  it('hold, transfer, consult and park an answered outgoing call; none while it rings', async () => {
    const calls: { method: string; args: unknown[] }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        calls.push(JSON.parse(String(init.body)));
        return new Response('null', { status: 200, headers: { 'Content-Type': 'application/json' } });
      }),
    );
    update(outLine('ringing'));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const li = () => document.querySelector<HTMLElement>('li[data-line-id="o-1"]')!;
    expect(within(li()).queryByRole('button', { name: /^Blind transfer the call with 2001/ })).toBeNull();
    expect(within(li()).queryByRole('button', { name: /^Park the call with 2001/ })).toBeNull();

    update(outLine('active'));
    workspaceStore.setNumber('2002');
    await vi.waitFor(() => expect(within(li()).getByRole('button', { name: /^Blind transfer the call with 2001/ })).toBeTruthy());
    expect(li().dataset.direction).toBe('out');
    await fireEvent.click(within(li()).getByRole('button', { name: /^Blind transfer the call with 2001/ }));
    await vi.waitFor(() => expect(calls.at(-1)).toMatchObject({ method: 'Transfer', args: expect.arrayContaining(['o-1']) }));
    workspaceStore.setNumber('2002'); // a transfer empties the number field
    await vi.waitFor(() => expect(within(li()).getByRole('button', { name: /^Consult before transferring/ })).toHaveProperty('disabled', false));
    await fireEvent.click(within(li()).getByRole('button', { name: /^Consult before transferring/ }));
    await vi.waitFor(() => expect(calls.at(-1)).toMatchObject({ method: 'Consult', args: expect.arrayContaining(['o-1']) }));
    await vi.waitFor(() => expect(within(li()).getByRole('button', { name: /^Park the call with 2001/ })).toHaveProperty('disabled', false));
    await fireEvent.click(within(li()).getByRole('button', { name: /^Park the call with 2001/ }));
    await vi.waitFor(() => expect(calls.at(-1)).toEqual(expect.objectContaining({ method: 'Park', args: ['o-1'] })));
  });
});
