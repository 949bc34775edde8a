import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call, PhoneCall } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { notices } from '../../stores/notices.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import WorkspacePanel from './WorkspacePanel.svelte';

function offer(id: string, extra: Partial<Call> = {}): Call {
  return {
    id,
    queueId: 'q1',
    callerNumber: '+3225550100',
    callerName: 'Hélène Dubois',
    enteredAt: new Date(Date.now() - 65_000).toISOString(),
    priority: 0,
    vip: false,
    note: '',
    offeredTo: 'sophie',
    recall: false,
    reservedBy: '',
    rejectedBy: [],
    ...extra,
  };
}

function pcall(id: string, extra: Partial<PhoneCall> = {}): PhoneCall {
  return {
    id,
    queueCall: '',
    name: '',
    number: '',
    state: 'ringing',
    autoAnswer: false,
    muted: false,
    since: new Date(Date.now() - 5_000).toISOString(),
    ...extra,
  };
}

/** Stubs the bridge; records every call. */
function stubBridge(fail?: string) {
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      calls.push(JSON.parse(String(init.body)));
      if (fail) return new Response(JSON.stringify({ error: fail }), { status: 500 });
      return new Response('null', { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return calls;
}

const line = (id: string) => document.querySelector<HTMLElement>(`li[data-call-id="${id}"]`)!;

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.queues = [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }];
});
afterEach(() => {
  workspaceStore.clear();
  workspaceStore.safeTransfer = true;
  phoneStore.stop();
  queueStore.stop();
  session.user = null;
});

describe('WorkspacePanel lines', () => {
  it('shows a queue offer ringing on the softphone once; Answer and Reject go to the queue', async () => {
    const calls = stubBridge();
    queueStore.queues[0].calls = [offer('q-1', { note: 'Asks for accounting' })];
    phoneStore.handleCall(pcall('sip-1', { queueCall: 'q-1', name: 'Hélène Dubois', number: '+3225550100' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const lines = screen.getAllByRole('listitem');
    expect(lines).toHaveLength(1);
    const li = line('q-1');
    expect(li.dataset.phoneCallId).toBe('sip-1');
    expect(li.dataset.state).toBe('ringing');
    expect(li.textContent).toContain('Hélène Dubois');
    expect(li.textContent).toContain('+3225550100');
    expect(li.textContent).toContain('Ringing');
    expect(li.textContent).toContain('Asks for accounting');
    expect(within(li).getByRole('img', { name: 'Incoming call' })).toBeTruthy();
    expect(within(li).getByRole('time').textContent?.trim()).toMatch(/^00:0[5-6]$/); // from `since`
    expect(within(li).queryByRole('button', { name: /Hang up/ })).toBeNull();

    const answer = within(li).getByRole('button', { name: 'Answer the call from Hélène Dubois' });
    expect(answer.getAttribute('title')).toBe('Answer this call (F2)');
    await fireEvent.click(answer);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Queue', method: 'Answer', args: ['q-1'] }]));

    const reject = within(li).getByRole('button', { name: 'Reject the call from Hélène Dubois' });
    expect(reject.getAttribute('title')).toBe('Send the call back to the queue (F3)');
    await vi.waitFor(() => expect(reject.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(reject);
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Queue', method: 'Reject', args: ['q-1'] }));
  });

  it('declines a ringing softphone call that is not from a queue (no Answer)', async () => {
    const calls = stubBridge();
    phoneStore.handleCall(pcall('sip-9', { number: '1234' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const li = line('sip-9');
    expect(li.textContent).toContain('Unknown');
    expect(within(li).queryByRole('button', { name: /^Answer/ })).toBeNull();
    const reject = within(li).getByRole('button', { name: 'Reject the call from 1234' });
    expect(reject.getAttribute('title')).toBe('Decline the call (F3)');
    await fireEvent.click(reject);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Phone', method: 'Hangup', args: ['sip-9'] }]));
  });

  it('an active call: Hang up and Mute / Unmute (icon, aria-pressed); ended lines disappear', async () => {
    const calls = stubBridge();
    phoneStore.handleCall(pcall('sip-2', { queueCall: 'q-2', state: 'active', name: 'Marc', number: '+32470' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const li = line('q-2');
    expect(li.dataset.state).toBe('active');
    expect(li.textContent).toContain('Active');
    expect(within(li).queryByRole('button', { name: /^Answer/ })).toBeNull();
    expect(within(li).queryByRole('button', { name: /^Reject/ })).toBeNull();

    const mute = within(li).getByRole('button', { name: 'Mute the microphone' });
    expect(mute.getAttribute('aria-pressed')).toBe('false');
    expect(mute.getAttribute('title')).toBe('Mute your microphone: you still hear the caller (F7)');
    const iconPath = () => mute.querySelector('path')!.getAttribute('d');
    const micIcon = iconPath();
    await fireEvent.click(mute);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Phone', method: 'Mute', args: [true] }]));
    await vi.waitFor(() => expect(mute.getAttribute('aria-pressed')).toBe('true'));
    expect(mute.getAttribute('title')).toBe('Microphone muted: click to unmute (F7)');
    expect(iconPath()).not.toBe(micIcon);
    expect(li.textContent).toContain('Muted');

    await vi.waitFor(() => expect(mute.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(mute);
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Phone', method: 'Mute', args: [false] }));
    await vi.waitFor(() => expect(mute.getAttribute('aria-pressed')).toBe('false'));
    expect(iconPath()).toBe(micIcon);

    const hangup = within(li).getByRole('button', { name: 'Hang up the call with Marc' });
    expect(hangup.getAttribute('title')).toBe('End the call (F4)');
    await vi.waitFor(() => expect(hangup.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(hangup);
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Phone', method: 'Hangup', args: ['sip-2'] }));

    phoneStore.handleCall(pcall('sip-2', { queueCall: 'q-2', state: 'ended' }));
    await vi.waitFor(() => expect(document.querySelector('li[data-call-id]')).toBeNull());
    expect(screen.getByText('No active call')).toBeTruthy();
  });

  it('an offer ringing on the attendant’s own phone still has Answer and Reject', async () => {
    const calls = stubBridge();
    queueStore.queues[0].calls = [offer('q-3', { callerName: '' }), offer('q-4', { offeredTo: 'marc' })];
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    const li = line('q-3');
    expect(li.dataset.phoneCallId).toBeUndefined();
    await fireEvent.click(within(li).getByRole('button', { name: 'Answer the call from +3225550100' }));
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Queue', method: 'Answer', args: ['q-3'] }]));
  });

  it('shows the error as a notice when an action fails', async () => {
    stubBridge('the built-in softphone is off');
    phoneStore.handleCall(pcall('sip-5', { state: 'active', name: 'Marc' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Hang up the call with Marc' }));
    await vi.waitFor(() => expect(notices.items.at(-1)?.text).toContain('the built-in softphone is off'));
    expect(phoneStore.state).toBe('off');
    notices.clear();
  });

  it('Hold / Resume an active queue call (W10): Queue.Hold / Queue.Resume, aria-pressed, icon, chip', async () => {
    const calls = stubBridge();
    phoneStore.handleCall(pcall('sip-6', { queueCall: 'q-6', state: 'active', name: 'Marc' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const li = line('q-6');
    const hold = within(li).getByRole('button', { name: 'Hold the call with Marc' });
    expect(hold.getAttribute('aria-pressed')).toBe('false');
    expect(hold.getAttribute('title')).toBe('Put the caller on hold (music on hold) (F6)');
    const iconPath = () => hold.querySelector('path')!.getAttribute('d');
    const pauseIcon = iconPath();

    await fireEvent.click(hold);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Queue', method: 'Hold', args: ['q-6'] }]));
    await vi.waitFor(() => expect(hold.getAttribute('aria-pressed')).toBe('true'));
    expect(hold.getAttribute('title')).toBe('On hold: click to resume the call (F6)');
    expect(iconPath()).not.toBe(pauseIcon);
    expect(li.textContent).toContain('On hold');

    await vi.waitFor(() => expect(hold.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(hold);
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Queue', method: 'Resume', args: ['q-6'] }));
    await vi.waitFor(() => expect(hold.getAttribute('aria-pressed')).toBe('false'));
    expect(iconPath()).toBe(pauseIcon);
    expect(li.textContent).not.toContain('On hold');

    // The held state is forgotten when the call ends.
    await vi.waitFor(() => expect(hold.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(hold);
    await vi.waitFor(() => expect(phoneStore.isHeld('q-6')).toBe(true));
    phoneStore.handleCall(pcall('sip-6', { queueCall: 'q-6', state: 'ended' }));
    expect(phoneStore.isHeld('q-6')).toBe(false);
  });

  it('a failed Hold stays un-held and shows a notice', async () => {
    stubBridge('no such call');
    phoneStore.handleCall(pcall('sip-8', { queueCall: 'q-8', state: 'active', name: 'Marc' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const hold = screen.getByRole('button', { name: 'Hold the call with Marc' });
    await fireEvent.click(hold);
    await vi.waitFor(() => expect(notices.items.at(-1)?.text).toContain('no such call'));
    expect(hold.getAttribute('aria-pressed')).toBe('false');
    notices.clear();
  });

  it('Transfer (W8) blind-transfers to the active number, safe by default (W14); disabled without a number', async () => {
    const calls = stubBridge();
    phoneStore.handleCall(pcall('sip-7', { queueCall: 'q-7', state: 'active', name: 'Marc' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const li = line('q-7');
    const transfer = within(li).getByRole('button', { name: 'Blind transfer the call with Marc' });
    expect(transfer.hasAttribute('disabled')).toBe(true);
    expect(transfer.getAttribute('title')).toBe('Blind transfer: enter a number first (F8)');

    const safe = screen.getByRole<HTMLInputElement>('checkbox', { name: 'Safe transfer' });
    expect(safe.checked).toBe(true);

    await fireEvent.input(screen.getByLabelText('Active number'), { target: { value: ' 204 ' } });
    await vi.waitFor(() => expect(transfer.hasAttribute('disabled')).toBe(false));
    expect(transfer.getAttribute('title')).toBe('Blind transfer to 204 (F8)');
    await fireEvent.click(transfer);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Queue', method: 'Transfer', args: ['q-7', '204', true] }]));
    expect(workspaceStore.activeNumber).toBe(' 204 '); // the field is kept

    await fireEvent.click(safe);
    expect(workspaceStore.safeTransfer).toBe(false);
    await vi.waitFor(() => expect(transfer.hasAttribute('disabled')).toBe(false));
    await fireEvent.click(transfer);
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Queue', method: 'Transfer', args: ['q-7', '204', false] }));

    await fireEvent.input(screen.getByLabelText('Active number'), { target: { value: '   ' } });
    await vi.waitFor(() => expect(transfer.hasAttribute('disabled')).toBe(true));
  });

  it('no Hold or Transfer on an active softphone call that is not from the switchboard', () => {
    stubBridge();
    phoneStore.handleCall(pcall('sip-10', { state: 'active', name: 'Marc' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const li = line('sip-10');
    expect(within(li).queryByRole('button', { name: /^Hold/ })).toBeNull();
    expect(within(li).queryByRole('button', { name: /transfer/i })).toBeNull();
  });
});
