// Settings → Mail (W15, administrators): the saved server is shown (never the password), a
// change is saved through the switchboard, the password is only sent when typed, and a test
// e-mail says whether it went.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../../i18n/index.svelte';
import { mailAdminStore } from '../../stores/callbacks.svelte';
import { stubBridge } from '../callbacks/testing';
import MailAdmin from './MailAdmin.svelte';

const saved = { host: 'smtp.example.com', port: 587, from: 'pbx@example.com', username: 'pbx', passwordSet: true, security: 'starttls' };

beforeEach(() => i18n.setLocale('en'));
afterEach(() => {
  mailAdminStore.settings = null;
  mailAdminStore.test = null;
  mailAdminStore.testError = '';
});

describe('MailAdmin', () => {
  it('shows the saved server, saves a change without resending the password, and tests', async () => {
    const calls = stubBridge((c) => {
      if (c.method === 'MailSettings') return saved;
      if (c.method === 'SaveMailSettings') return { ...saved, ...(c.args[0] as object), passwordSet: true };
      if (c.method === 'TestMail') return { ok: false, error: '535 authentication failed' };
    });
    render(MailAdmin);
    const host = (await screen.findByLabelText('SMTP server')) as HTMLInputElement;
    await vi.waitFor(() => expect(host.value).toBe('smtp.example.com'));
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('587');
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(password.value).toBe('');
    expect(password.placeholder).toBe('stored');

    // TLS from the start moves a default port to its own default.
    const security = screen.getByLabelText('Security') as HTMLSelectElement;
    security.value = 'tls';
    await fireEvent.change(security);
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('465');
    await fireEvent.input(host, { target: { value: ' mail.example.com ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(calls.find((c) => c.method === 'SaveMailSettings')!.args[0]).toEqual({
      host: 'mail.example.com',
      port: 465,
      security: 'tls',
      from: 'pbx@example.com',
      username: 'pbx',
    });

    await fireEvent.input(password, { target: { value: 's3cret' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() =>
      expect(calls.filter((c) => c.method === 'SaveMailSettings').at(-1)!.args[0]).toMatchObject({ password: 's3cret' }),
    );

    await fireEvent.input(screen.getByLabelText('Test address'), { target: { value: 'me@example.com' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send a test e-mail' }));
    await screen.findByText('Test failed: 535 authentication failed');
    expect(calls.at(-1)).toEqual({ service: 'Callbacks', method: 'TestMail', args: ['me@example.com'] });
  });

  it('refuses a bad port before asking the switchboard, and shows its refusal', async () => {
    const calls = stubBridge((c) => {
      if (c.method === 'MailSettings') return saved;
      if (c.method === 'SaveMailSettings') throw new Error('from: not an e-mail address');
    });
    render(MailAdmin);
    await vi.waitFor(() => expect((screen.getByLabelText('SMTP server') as HTMLInputElement).value).toBe('smtp.example.com'));
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '70000' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByTestId('mail-settings-error').textContent).toBe('The port must be a number from 1 to 65535.');
    expect(calls.some((c) => c.method === 'SaveMailSettings')).toBe(false);

    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '25' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(screen.getByTestId('mail-settings-error').textContent).toBe('from: not an e-mail address'));
  });
});
