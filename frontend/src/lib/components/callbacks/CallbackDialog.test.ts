// The "Callback request" dialog (W15): a contact searched in the directory, the caller filled in
// from the call, Enter saves through the switchboard, Esc closes, errors are said clearly.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { callbacksStore } from '../../stores/callbacks.svelte';
import { notices } from '../../stores/notices.svelte';
import CallbackDialog from './CallbackDialog.svelte';
import { callback, stubBridge, type BridgeCall } from './testing';

const helene: Contact = {
  id: 'c-helene',
  displayName: 'Hélène Dubois',
  department: 'Sales',
  phones: [
    { type: 'mobile', number: '+32475000000' },
    { type: 'work', number: '+3225550100' },
  ],
  visibility: 'public',
  source: 'local',
  updated: '2026-11-01T00:00:00Z',
};

function setup(answer?: (c: BridgeCall) => unknown) {
  const calls = stubBridge(
    answer ??
      ((c) => {
        const req = c.args[0] as Record<string, string>;
        return callback({ id: 'cb-9', ...req, forName: req.forName || 'Hélène Dubois' });
      }),
  );
  const search = vi.fn(async (q: string) =>
    /h[eé]l/i.test(q) || q.replace(/\D/g, '').includes('2555') ? [{ contact: helene, score: 1 }] : [],
  );
  render(CallbackDialog, { search });
  return { calls, search };
}

const dialog = () => screen.getByTestId('callback-dialog');
const field = (name: string) => within(dialog()).getByLabelText(name) as HTMLInputElement;

beforeEach(() => i18n.setLocale('en'));
afterEach(() => {
  callbacksStore.stop();
  notices.clear();
});

describe('CallbackDialog', () => {
  it('picks the contact from the directory, keeps the caller from the call, and saves on Enter', async () => {
    const { calls } = setup();
    callbacksStore.openDialog({ callerName: 'Marc Lenoir', callerNumber: '+32470123456' });
    await vi.waitFor(() => expect(dialog().hasAttribute('open')).toBe(true));
    await vi.waitFor(() => expect(document.activeElement).toBe(field('Name')));

    await fireEvent.input(field('Name'), { target: { value: 'hél' } });
    const option = await screen.findByRole('option', { name: /Hélène Dubois/ });
    expect(option.textContent).toContain('Sales · +3225550100');
    await fireEvent.keyDown(field('Name'), { key: 'Enter' });
    expect(field('Name').value).toBe('Hélène Dubois');
    expect(field('Their number').value).toBe('+3225550100');
    expect(dialog().textContent).toContain('From the directory');
    expect(field('Caller').value).toBe('Marc Lenoir');
    expect(field('Number to call back').value).toBe('+32470123456');

    await fireEvent.input(field('Message'), { target: { value: 'About the invoice' } });
    await fireEvent.keyDown(field('Message'), { key: 'Enter' });
    await vi.waitFor(() => expect(callbacksStore.draft).toBeNull());
    expect(calls).toEqual([
      {
        service: 'Callbacks',
        method: 'Create',
        args: [
          {
            forId: 'c-helene',
            forName: 'Hélène Dubois',
            forNumber: '+3225550100',
            callerName: 'Marc Lenoir',
            callerNumber: '+32470123456',
            message: 'About the invoice',
          },
        ],
      },
    ]);
    expect(dialog().hasAttribute('open')).toBe(false);
    expect(callbacksStore.open.map((c) => c.id)).toEqual(['cb-9']);
    expect(notices.items).toEqual([]); // the overview shows it: no error-looking notice
  });

  it('says what is missing, and sends nothing', async () => {
    const { calls } = setup();
    callbacksStore.openDialog();
    await vi.waitFor(() => expect(dialog().hasAttribute('open')).toBe(true));
    await fireEvent.click(within(dialog()).getByRole('button', { name: 'Save request' }));
    expect(within(dialog()).getByRole('alert').textContent).toContain('Please correct the fields marked.');
    expect(dialog().textContent).toContain('Say for whom: choose a contact or type a name.');
    expect(dialog().textContent).toContain("Give the caller's name or number.");
    expect(field('Name').getAttribute('aria-invalid')).toBe('true');
    expect(calls).toEqual([]);
  });

  it('shows the switchboard refusal and stays open; a name typed by hand is sent without a contact', async () => {
    const { calls } = setup(() => {
      throw new Error('message longer than 2000 characters');
    });
    callbacksStore.openDialog({ callerNumber: '+32470123456' });
    await vi.waitFor(() => expect(dialog().hasAttribute('open')).toBe(true));
    await fireEvent.input(field('Name'), { target: { value: 'Accounting' } });
    await fireEvent.submit(dialog().querySelector('form')!);
    await vi.waitFor(() =>
      expect(within(dialog()).getByRole('alert').textContent).toContain(
        'The request could not be saved: message longer than 2000 characters',
      ),
    );
    expect(calls[0].args[0]).toEqual({ forName: 'Accounting', forNumber: '', callerName: '', callerNumber: '+32470123456', message: '' });
    expect(callbacksStore.draft).not.toBeNull();
  });

  it('finds the contact of a transfer target given by number, and closes on Esc', async () => {
    const { search } = setup();
    callbacksStore.openDialog({ forNumber: '+32 2 555 01 00' });
    await vi.waitFor(() => expect(field('Name').value).toBe('Hélène Dubois'));
    expect(search).toHaveBeenCalledWith('+32 2 555 01 00', 5);
    await fireEvent.keyDown(field('Message'), { key: 'Escape' });
    expect(callbacksStore.draft).toBeNull();
    expect(dialog().hasAttribute('open')).toBe(false);
  });
});
