// W2: an answered workspace line shows the talk timer and, beside it, how long the caller
// had waited in the queue (the switchboard's waitedMs), which stays fixed.
import { render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../../i18n/index.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import { lineUpdated as update, sbLine } from '../../stores/testing';
import WorkspacePanel from './WorkspacePanel.svelte';

const item = (id: string) => document.querySelector<HTMLElement>(`li[data-line-id="${id}"]`)!;
const waited = (id: string) => item(id).querySelector<HTMLElement>('.waited');

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.applySnapshot({ seq: 0, queues: [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }], attendants: [] });
});
afterEach(() => {
  workspaceStore.clear();
  phoneStore.stop();
  queueStore.stop();
  session.user = null;
});

describe('W2: time in queue on a workspace line', () => {
  it('shows the talk timer and, fixed, the wait in the queue', async () => {
    update(sbLine('c-1', { waitedMs: 72_000 }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });

    const li = item('c-1');
    const talk = li.querySelector('time')!;
    expect(talk.textContent?.trim()).toMatch(/^00:3[01]$/); // since answered
    expect(waited('c-1')?.textContent?.trim()).toBe('waited 01:12');
    expect(waited('c-1')?.title).toBe('Time the caller waited in the queue before the call was answered');

    // Held: still the same wait, beside the talk timer.
    update(sbLine('c-1', { waitedMs: 72_000, state: 'held' }));
    await vi.waitFor(() => expect(li.textContent).toContain('On hold'));
    expect(waited('c-1')?.textContent?.trim()).toBe('waited 01:12');
  });

  it('is localized', async () => {
    await i18n.setLocale('fr');
    update(sbLine('c-2', { waitedMs: 3_725_000 }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    expect(waited('c-2')?.textContent?.trim()).toBe('attente 1:02:05');
  });

  it('is absent on a call that never waited in a queue: an outgoing call, a consultation', () => {
    update(sbLine('out-1', { direction: 'out', number: '204', name: '' }));
    update(sbLine('c-3', { waitedMs: 4_000, state: 'held', peer: 'c-3.consult' }));
    update(sbLine('c-3.consult', { callId: 'c-3', direction: 'out', number: '205', name: '', peer: 'c-3', state: 'ringing' }));
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    expect(waited('out-1')).toBeNull();
    expect(waited('c-3.consult')).toBeNull();
    expect(waited('c-3')?.textContent?.trim()).toBe('waited 00:04');
  });
});
