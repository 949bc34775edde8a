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
import { sbLine } from '../../stores/testing';
import { workspaceStore } from '../../stores/workspace.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import ParkedCalls from '../overview/ParkedCalls.svelte';
import WorkspacePanel from './WorkspacePanel.svelte';

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

  it('W13: a note is written on the answered call; every attendant gets it, Esc cancels', async () => {
    const calls = stubBridge();
    event('line.updated', sbLine('c-4'));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const li = item('c-4');

    await fireEvent.click(within(li).getByRole('button', { name: 'Note for Hélène Dubois' }));
    const input = within(li).getByRole('textbox', { name: 'Note for Hélène Dubois' }) as HTMLInputElement;
    await vi.waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.input(input, { target: { value: '  Wants the invoice of March ' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() =>
      expect(calls).toEqual([{ service: 'Queue', method: 'SetNote', args: ['c-4', 'Wants the invoice of March'] }]),
    );
    expect(within(li).queryByRole('textbox')).toBeNull();
    await vi.waitFor(() => expect(li.textContent).toContain('Wants the invoice of March'));
    await vi.waitFor(() => expect(document.activeElement).toBe(within(li).getByRole('button', { name: 'Note for Hélène Dubois' })));

    // Esc leaves the note as it was, and sends nothing.
    await fireEvent.click(within(li).getByRole('button', { name: 'Note for Hélène Dubois' }));
    const again = within(li).getByRole('textbox', { name: 'Note for Hélène Dubois' }) as HTMLInputElement;
    expect(again.value).toBe('Wants the invoice of March');
    await fireEvent.input(again, { target: { value: 'scrap this' } });
    await fireEvent.keyDown(again, { key: 'Escape' });
    expect(within(li).queryByRole('textbox')).toBeNull();
    expect(li.textContent).toContain('Wants the invoice of March');
    expect(calls).toHaveLength(1);
  });

  it('W13: no note on a consultation\'s second line nor on an outgoing call still ringing', () => {
    event('line.updated', sbLine('c-5', { state: 'held', peer: 'c-5.consult' }));
    event('line.updated', sbLine('c-5.consult', { callId: 'c-5', direction: 'out', number: '204', name: '', peer: 'c-5' }));
    event('line.updated', sbLine('d-2', { direction: 'out', number: '0612345678', name: '', state: 'ringing' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    expect(within(item('c-5')).getByRole('button', { name: 'Note for Hélène Dubois' })).toBeTruthy();
    expect(within(item('c-5.consult')).queryByRole('button', { name: /^Note for/ })).toBeNull();
    expect(within(item('d-2')).queryByRole('button', { name: /^Note for/ })).toBeNull();
  });

  it('W12: E-mail writes to the contact in the details about the call I am on, with its note', async () => {
    stubBridge();
    const opened: string[] = [];
    vi.stubGlobal('runtime', { BrowserOpenURL: (url: string) => opened.push(url) });
    event('line.updated', sbLine('c-6', { note: 'Wants the invoice' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const none = screen.getByRole('button', { name: 'E-mail: select a contact with an e-mail address first' });
    expect((none as HTMLButtonElement).disabled).toBe(true);

    directoryStore.show({
      id: 'k-1',
      displayName: 'Jan Peeters',
      emails: ['jan.peeters@example.com'],
      phones: [],
      visibility: 'public',
      source: 'local',
      updated: '2026-11-25T10:00:00Z',
    });
    const mail = await screen.findByRole('button', { name: 'Write to Jan Peeters about the current or last call' });
    await fireEvent.click(mail);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/^mailto:jan\.peeters@example\.com\?subject=Call%20from%20H%C3%A9l%C3%A8ne%20Dubois&body=/);
    expect(decodeURIComponent(opened[0])).toContain('Note: Wants the invoice');
    directoryStore.reset();
  });
});
