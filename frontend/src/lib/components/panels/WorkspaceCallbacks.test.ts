// Where a callback request (W15) is taken: a workspace line, a call back from a failed transfer,
// the contact details, and the keyboard — each opens the dialog with what is known filled in.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../api/history';
import type { Contact, Line } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { runAction } from '../../shortcuts/actions';
import { callbacksStore } from '../../stores/callbacks.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import { historyStore } from '../../stores/history.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { lineUpdated, sbLine } from '../../stores/testing';
import { workspaceStore } from '../../stores/workspace.svelte';
import DetailsPanel from './DetailsPanel.svelte';
import WorkspacePanel from './WorkspacePanel.svelte';

const jan: Contact = {
  id: 'c-jan',
  displayName: 'Jan Peeters',
  phones: [{ type: 'work', number: '+3225550199' }],
  visibility: 'public',
  source: 'local',
  updated: '2026-11-01T00:00:00Z',
};

/** Marc Lenoir's call on my workspace line c-1. */
const line = (extra: Partial<Line> = {}): Line => sbLine('c-1', { number: '+32470123456', name: 'Marc Lenoir', ...extra });

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.applySnapshot({ seq: 0, queues: [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }], attendants: [] });
});
afterEach(() => {
  callbacksStore.stop();
  directoryStore.show(null);
  historyStore.entries = [];
  workspaceStore.clear();
  phoneStore.stop();
  queueStore.stop();
  session.user = null;
});

describe('taking a callback request', () => {
  it('from a workspace line: the caller of that line, for the contact shown in the details', async () => {
    lineUpdated(line());
    directoryStore.show(jan);
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const li = document.querySelector<HTMLElement>('li[data-line-id="c-1"]')!;
    await fireEvent.click(within(li).getByRole('button', { name: 'Take a callback request for the call with Marc Lenoir' }));
    expect(callbacksStore.draft).toEqual({
      forId: 'c-jan',
      forName: 'Jan Peeters',
      forNumber: '+3225550199',
      callerName: 'Marc Lenoir',
      callerNumber: '+32470123456',
      message: '',
    });
  });

  it('right on a call that came back from a failed transfer, for the person it was sent to', async () => {
    queueStore.applySnapshot({
      seq: 0,
      queues: [
        {
          id: 'q1',
          name: 'Reception',
          priority: 1,
          calls: [
            {
              id: 'c-2', queueId: 'q1', callerNumber: '+32470999999', callerName: 'Anne Noël', enteredAt: new Date().toISOString(),
              priority: 0, vip: false, note: '', offeredTo: 'sophie', recall: true, reservedBy: 'sophie', rejectedBy: [],
            },
          ],
        },
      ],
      attendants: [],
    });
    const recalled: HistoryEntry = {
      id: 7, callId: 'c-2', direction: 'in', callerNumber: '+32470999999', outcome: 'recalled', destination: '2199',
      destinationContactId: 'c-jan', destinationName: 'Jan Peeters', reason: 'busy', started: '', ended: '',
    };
    historyStore.entries = [recalled];
    workspaceStore.setNumber('2199');
    render(WorkspacePanel, { collapsed: false, ontoggle: () => {} });
    const offer = screen.getByTestId('failed-transfer');
    expect(offer.textContent).toContain('Back from Jan Peeters');
    await fireEvent.click(within(offer).getByRole('button', { name: 'Take a callback request' }));
    expect(callbacksStore.draft).toMatchObject({
      forId: 'c-jan',
      forName: 'Jan Peeters',
      forNumber: '2199',
      callerName: 'Anne Noël',
      callerNumber: '+32470999999',
    });
    // Once the call was put through elsewhere, the offer goes.
    historyStore.entries = [{ ...recalled, id: 8, outcome: 'transferred' }, recalled];
    await tick();
    expect(screen.queryByTestId('failed-transfer')).toBeNull();
  });

  it('from the contact details, and with the keyboard shortcut (the active number when no contact is shown)', async () => {
    directoryStore.show(jan);
    render(DetailsPanel, { collapsed: false, ontoggle: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Take a callback request for Jan Peeters' }));
    expect(callbacksStore.draft).toMatchObject({ forId: 'c-jan', forName: 'Jan Peeters', callerNumber: '' });

    callbacksStore.closeDialog();
    directoryStore.show(null);
    workspaceStore.setNumber(' 0470 11 22 33 ');
    lineUpdated(line({ state: 'held' }));
    await runAction('callback', { openSettings: () => {} });
    expect(callbacksStore.draft).toMatchObject({ forId: '', forName: '', forNumber: '0470 11 22 33', callerName: 'Marc Lenoir' });
  });
});
