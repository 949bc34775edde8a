// The call overview's callback requests (W15): what an attendant sees of each request, Done and
// Reopen through the switchboard, and the caller's number to the active number field.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { i18n } from '../../i18n/index.svelte';
import { callbacksStore } from '../../stores/callbacks.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import OverviewPanel from '../panels/OverviewPanel.svelte';
import { callback, stubBridge, type BridgeCall } from '../callbacks/testing';
import Callbacks from './Callbacks.svelte';

const row = (id: string) => document.querySelector<HTMLElement>(`li[data-callback-id="${id}"]`)!;

beforeEach(() => {
  i18n.setLocale('en');
  callbacksStore.loaded = true;
});
afterEach(() => {
  callbacksStore.stop();
  workspaceStore.clear();
});

describe('Callbacks section', () => {
  it('shows each open request: for whom, caller, message, who took it, and its delivery', () => {
    callbacksStore.apply(callback({ id: 'a', delivery: 'sent', deliveredTo: 'helene@example.com' }));
    callbacksStore.apply(
      callback({ id: 'b', createdAt: '2026-11-26T09:10:00Z', forName: 'Accounting', forId: '', delivery: 'failed', deliveryError: 'connection refused' }),
    );
    callbacksStore.apply(callback({ id: 'c', createdAt: '2026-11-26T09:20:00Z', forName: 'Jan Peeters', callerName: '', message: '' }));
    render(Callbacks);

    const open = screen.getByRole('list', { name: 'Open callback requests' });
    expect(within(open).getAllByRole('listitem').map((li) => li.dataset.callbackId)).toEqual(['c', 'b', 'a']);
    expect(row('a').textContent).toContain('For Hélène Dubois');
    expect(row('a').textContent).toContain('Marc Lenoir');
    expect(row('a').textContent).toContain('About the invoice');
    expect(row('a').textContent).toContain('taken by Sophie');
    expect(row('a').textContent).toContain('E-mailed to helene@example.com');
    expect(row('b').textContent).toContain('E-mail failed: connection refused');
    expect(row('c').textContent).toContain('Not e-mailed');
    // The caller without a name is shown by number.
    expect(row('c').querySelector('.caller')!.textContent).toBe('+32470123456');
    expect(screen.getByLabelText('3 open callback requests').textContent).toBe('3');
  });

  it('puts the caller number in the active number field', async () => {
    callbacksStore.apply(callback());
    render(Callbacks);
    await fireEvent.click(within(row('cb-1')).getByRole('button', { name: /Put \+32470123456/ }));
    expect(workspaceStore.activeNumber).toBe('+32470123456');
  });

  it('marks a request done through the switchboard, then offers to reopen it among those done', async () => {
    const calls = stubBridge((c: BridgeCall) =>
      c.method === 'Done'
        ? callback({ status: 'done', doneAt: new Date().toISOString(), doneBy: 'marc', doneByName: 'Marc' })
        : callback(),
    );
    callbacksStore.apply(callback());
    render(Callbacks);
    await fireEvent.click(screen.getByRole('button', { name: 'Mark done: Marc Lenoir for Hélène Dubois' }));
    await screen.findByText('No open callback requests');
    expect(calls).toEqual([{ service: 'Callbacks', method: 'Done', args: ['cb-1'] }]);
    expect(screen.queryByLabelText(/open callback request/)).toBeNull();

    const toggle = screen.getByRole('button', { name: '1 done recently' });
    await fireEvent.click(toggle);
    const done = screen.getByRole('list', { name: 'Callback requests done recently' });
    expect(done.textContent).toContain('done by Marc');
    await fireEvent.click(within(done).getByRole('button', { name: 'Reopen: Marc Lenoir for Hélène Dubois' }));
    await screen.findByRole('button', { name: 'Mark done: Marc Lenoir for Hélène Dubois' });
    expect(calls.at(-1)).toEqual({ service: 'Callbacks', method: 'Reopen', args: ['cb-1'] });
  });

  it('says when there are none, and why the list is missing', () => {
    const { unmount } = render(Callbacks);
    expect(screen.getByText('No callback requests')).toBeTruthy();
    unmount();
    callbacksStore.loaded = false;
    callbacksStore.error = 'permission denied';
    render(Callbacks);
    expect(screen.getByRole('alert').textContent).toBe('Callback requests unavailable: permission denied');
  });

  it('counts open requests on the overview panel, also when collapsed', () => {
    callbacksStore.apply(callback({ id: 'a' }));
    callbacksStore.apply(callback({ id: 'b', status: 'done' }));
    render(OverviewPanel, { collapsed: true, ontoggle: () => {} });
    expect(screen.getByTestId('callbacks-badge').textContent).toContain('1');
  });
});
