import { render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import QueuePanel from './QueuePanel.svelte';

const call = (over: Partial<Call> = {}): Call => ({
  id: 'c1', queueId: 'q1', callerNumber: '0650505055', callerName: 'Marie Dupont', enteredAt: new Date().toISOString(),
  priority: 0, vip: false, note: '', offeredTo: '', recall: false, reservedBy: '', rejectedBy: [], ...over,
});

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.applySnapshot({ seq: 1, queues: [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }], attendants: [] });
});
afterEach(() => {
  queueStore.stop();
  session.user = null;
});

describe('a failed forward on the queue row (Q9)', () => {
  it('shows where the forward went and why, in the language, until the call is answered', async () => {
    render(QueuePanel, { collapsed: false, ontoggle: () => {} });
    queueStore.handleEvent({
      seq: 2, type: 'call.queued', time: '', reason: 'forward failed', after: '',
      call: call({ forwardFailed: { target: '0612345678', reason: 'busy' } }),
    });
    const row = () => document.querySelector<HTMLElement>('tr[data-call-id="c1"]');
    const note = await within((await screen.findByText('Marie Dupont')).closest('tr')!).findByTestId('forward-failed');
    expect(note.textContent).toBe('Forward to 0612345678 failed (busy)');
    expect(note.title).toContain('back in the queue');

    // A later event about the call (a note) still carries it.
    queueStore.handleEvent({ seq: 3, type: 'call.updated', time: '', reason: 'note', after: '',
      call: call({ note: 'Mr Smith', forwardFailed: { target: '0612345678', reason: 'no answer' } }) });
    await i18n.setLocale('fr');
    await expect.poll(() => within(row()!).getByTestId('forward-failed').textContent).toBe('Renvoi vers 0612345678 échoué (pas de réponse)');

    // A reason without a translation is shown as the switchboard gave it.
    queueStore.handleEvent({ seq: 4, type: 'call.updated', time: '', reason: 'note', after: '',
      call: call({ forwardFailed: { target: 'sip:night@pbx', reason: '482 Loop Detected' } }) });
    await expect.poll(() => within(row()!).getByTestId('forward-failed').textContent).toBe('Renvoi vers sip:night@pbx échoué (482 Loop Detected)');

    queueStore.handleEvent({ seq: 5, type: 'call.taken', time: '', by: 'sophie', call: call() });
    await expect.poll(() => row()).toBeNull();
  });

  it('a call whose forward did not fail has no such note', async () => {
    queueStore.handleEvent({ seq: 2, type: 'call.queued', time: '', after: '', call: call() });
    render(QueuePanel, { collapsed: false, ontoggle: () => {} });
    await screen.findByText('Marie Dupont');
    expect(screen.queryByTestId('forward-failed')).toBeNull();
  });
});
