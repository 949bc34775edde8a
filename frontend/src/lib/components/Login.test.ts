import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n/index.svelte';
import { session } from '../stores/session.svelte';
import Login from './Login.svelte';

const config = { embedded: false, server: 'switchboard.acme.local', version: '1.2.3', keyring: true };

async function fillAndSubmit() {
  await fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'sophie' } });
  await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'wrong' } });
  await fireEvent.input(screen.getByLabelText('Extension'), { target: { value: '201' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('Login', () => {
  it('prefills the switchboard address and shows the thrown error', async () => {
    i18n.setLocale('en');
    const onlogin = vi.fn(async () => {
      throw new Error('invalid username or password');
    });
    render(Login, { config, onlogin });

    expect((screen.getByLabelText('Switchboard address') as HTMLInputElement).value).toBe('switchboard.acme.local');
    await fillAndSubmit();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('invalid username or password');
    expect(onlogin).toHaveBeenCalledWith({
      username: 'sophie',
      password: 'wrong',
      extension: '201',
      server: 'switchboard.acme.local',
      remember: false,
      deskPhone: false,
    });
    // The password is cleared for the next try; the button is usable again.
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('prefills what remember me kept and says where the password goes', async () => {
    i18n.setLocale('en');
    const last = { server: 'sb.acme.local', username: 'sophie', extension: '201', remember: true, passwordSaved: false };
    render(Login, { config: { ...config, server: '', keyring: false, last }, onlogin: async () => {} });
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('sophie');
    expect((screen.getByLabelText('Extension') as HTMLInputElement).value).toBe('201');
    expect((screen.getByLabelText('Switchboard address') as HTMLInputElement).value).toBe('sb.acme.local');
    expect((screen.getByLabelText('Remember me') as HTMLInputElement).checked).toBe(true);
    expect(document.activeElement).toBe(screen.getByLabelText('Password'));
    expect(screen.getByText(/No keyring on this computer/)).toBeTruthy();
    // The hint describes the box while it is shown, and nothing points at it once it is gone.
    const box = screen.getByLabelText('Remember me');
    expect(document.getElementById(box.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/No keyring/);
    await fireEvent.click(box);
    expect(screen.queryByText(/No keyring on this computer/)).toBeNull();
    expect(box.hasAttribute('aria-describedby')).toBe(false);
  });

  it('sends the desk-phone choice with an extension only', async () => {
    i18n.setLocale('en');
    const onlogin = vi.fn(async () => {});
    render(Login, { config, onlogin });
    expect(screen.queryByLabelText('My desk phone')).toBeNull();
    await fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'sophie' } });
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.input(screen.getByLabelText('Extension'), { target: { value: '201' } });
    expect((screen.getByLabelText('Built-in softphone') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByLabelText('My desk phone'));
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(onlogin).toHaveBeenCalledWith(expect.objectContaining({ extension: '201', deskPhone: true }));
  });

  it('hides the address when the switchboard is embedded', () => {
    i18n.setLocale('en');
    render(Login, { config: { ...config, embedded: true }, onlogin: async () => {} });
    expect(screen.queryByLabelText('Switchboard address')).toBeNull();
    expect(screen.getByText('Built-in switchboard')).toBeTruthy();
  });

  it('shows the bridge error through the real session store and transport', async () => {
    i18n.setLocale('en');
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ error: 'switchboard unreachable: connection refused' }), {
          status: 502,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    vi.stubGlobal('fetch', fetchMock);
    render(Login, { config, onlogin: (req) => session.login(req) });
    await fillAndSubmit();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('switchboard unreachable: connection refused');
    const body = JSON.parse(String((fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1].body));
    expect(body).toMatchObject({ service: 'Session', method: 'Login' });
    expect(body.args[0]).toMatchObject({ username: 'sophie', extension: '201', server: 'switchboard.acme.local' });
  });
});
