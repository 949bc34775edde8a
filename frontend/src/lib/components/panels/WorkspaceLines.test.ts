// Workspace lines reported by the switchboard (W1, W9, W11, O1): also for a desk phone, whose
// calls the softphone never sees.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Line } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { notices } from '../../stores/notices.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import ParkedCalls from '../overview/ParkedCalls.svelte';
import WorkspacePanel from './WorkspacePanel.svelte';

function sbLine(id: string, extra: Partial<Line> = {}): Line {
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

function stubBridge() {
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      calls.push(JSON.parse(String(init.body)));
      return new Response('null', { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return calls;
}

let seq = 0;
function event(type: 'line.updated' | 'line.ended', line: Line, reason = '') {
  queueStore.handleEvent({ seq: ++seq, type, time: new Date().toISOString(), line, reason });
}

const item = (id: string) => document.querySelector<HTMLElement>(`li[data-line-id="${id}"]`)!;

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

describe('switchboard lines in the workspace', () => {
  it('shows a desk-phone call from the switchboard; Mute and Hang up act on the switchboard', async () => {
    const calls = stubBridge();
    event('line.updated', sbLine('c-1'));
    event('line.updated', sbLine('c-other', { attendant: 'marc' })); // someone else's
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    const li = item('c-1');
    expect(li.textContent).toContain('Hélène Dubois');
    await fireEvent.click(within(li).getByRole('button', { name: 'Mute the microphone' }));
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Calls', method: 'Mute', args: ['c-1', true] }]));
    event('line.updated', sbLine('c-1', { muted: true }));
    await vi.waitFor(() => expect(li.textContent).toContain('Muted'));

    await fireEvent.click(within(li).getByRole('button', { name: 'Hang up the call with Hélène Dubois' }));
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Calls', method: 'Hangup', args: ['c-1'] }));
    event('line.ended', sbLine('c-1'));
    await vi.waitFor(() => expect(screen.queryAllByRole('listitem')).toHaveLength(0));
  });

  it('Consult (W9) calls the active number; the pair shows Swap and Complete; a failure is told', async () => {
    const calls = stubBridge();
    event('line.updated', sbLine('c-2'));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const consult = within(item('c-2')).getByRole('button', { name: 'Consult before transferring the call with Hélène Dubois' });
    expect(consult.hasAttribute('disabled')).toBe(true);
    workspaceStore.setNumber('204');
    await vi.waitFor(() => expect(consult.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(consult);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Calls', method: 'Consult', args: ['c-2', '204'] }]));

    event('line.updated', sbLine('c-2', { state: 'held', peer: 'c-2.consult' }));
    event('line.updated', sbLine('c-2.consult', { callId: 'c-2', direction: 'out', number: '204', name: '', peer: 'c-2' }));
    await vi.waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(2));
    const target = item('c-2.consult');
    expect(target.dataset.direction).toBe('out');
    expect(item('c-2').textContent).toContain('On hold');
    // No hold, transfer or park during a consultation.
    expect(within(item('c-2')).queryByRole('button', { name: /Hold the call/ })).toBeNull();

    await fireEvent.click(within(item('c-2')).getByRole('button', { name: 'Swap: talk to Hélène Dubois' }));
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Calls', method: 'Swap', args: ['c-2'] }));
    await fireEvent.click(within(target).getByRole('button', { name: /Complete the transfer/ }));
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Calls', method: 'Complete', args: ['c-2.consult'] }));
    const hang = within(target).getByRole('button', { name: 'Hang up the call with 204' });
    await vi.waitFor(() => expect(hang.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(hang);
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Calls', method: 'Hangup', args: ['c-2.consult'] }));

    const push = vi.spyOn(notices, 'push');
    event('line.ended', sbLine('c-2.consult', { callId: 'c-2', number: '204', peer: 'c-2' }), 'busy');
    event('line.updated', sbLine('c-2'));
    await vi.waitFor(() => expect(push).toHaveBeenCalledWith('Consultation with 204 ended: busy'));
    await vi.waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
  });

  it('Call (W4) dials the active number; the outgoing line shows; a failure is told', async () => {
    const calls = stubBridge();
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    workspaceStore.setNumber('0612 34 56 78');
    const call = screen.getByRole('button', { name: 'Call' });
    await vi.waitFor(() => expect(call.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(call);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Calls', method: 'Dial', args: ['0612 34 56 78'] }]));

    const out = sbLine('d-1', { direction: 'out', number: '0612345678', name: '', state: 'ringing' });
    event('line.updated', out);
    await vi.waitFor(() => expect(item('d-1').dataset.direction).toBe('out'));
    expect(item('d-1').textContent).toContain('0612345678');
    expect(item('d-1').textContent).toContain('Ringing');
    const push = vi.spyOn(notices, 'push');
    event('line.ended', out, 'busy');
    await vi.waitFor(() => expect(push).toHaveBeenCalledWith('Call to 0612345678 ended: busy'));
  });

  it('Park (O1) sends the call to the overview, where anyone can retrieve it', async () => {
    const calls = stubBridge();
    event('line.updated', sbLine('c-3', { note: 'invoice' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    render(ParkedCalls);
    await fireEvent.click(within(item('c-3')).getByRole('button', { name: 'Park the call with Hélène Dubois' }));
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Calls', method: 'Park', args: ['c-3'] }]));

    event('line.updated', sbLine('c-3', { state: 'parked', note: 'invoice' }));
    await vi.waitFor(() => expect(document.querySelector('li[data-line-id="c-3"]')).toBeNull());
    const parked = document.querySelector<HTMLElement>('section[aria-labelledby="overview-parked"] li[data-call-id="c-3"]')!;
    expect(parked.textContent).toContain('invoice');
    expect(parked.textContent).toContain('parked by sophie');
    await fireEvent.click(within(parked).getByRole('button', { name: 'Retrieve the parked call from Hélène Dubois' }));
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Calls', method: 'Retrieve', args: ['c-3'] }));
  });
});
