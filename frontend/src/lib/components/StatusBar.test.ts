import { render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.svelte';
import { phoneStore } from '../stores/phone.svelte';
import { session } from '../stores/session.svelte';
import StatusBar from './StatusBar.svelte';

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
});
afterEach(() => {
  phoneStore.stop();
  session.user = null;
});

describe('StatusBar softphone indicator', () => {
  it('is hidden when off and follows the registration state, with the error as title', async () => {
    render(StatusBar);
    expect(screen.queryByTestId('status-phone')).toBeNull();

    phoneStore.handleState({ state: 'registering' });
    const pending = await screen.findByTestId('status-phone');
    expect(pending.dataset.state).toBe('registering');
    expect(pending.textContent).toContain('Softphone connecting…');
    expect(pending.querySelector('.dot.pending')).toBeTruthy();

    phoneStore.handleState({ state: 'registered' });
    await expect.poll(() => screen.getByTestId('status-phone').title).toBe('Softphone ready');
    expect(screen.getByTestId('status-phone').querySelector('.dot.ready')).toBeTruthy();

    phoneStore.handleState({ state: 'failed', error: 'softphone: 403 Forbidden' });
    await expect.poll(() => screen.getByTestId('status-phone').title).toBe('Softphone unavailable: softphone: 403 Forbidden');
    expect(screen.getByTestId('status-phone').querySelector('.dot.error')).toBeTruthy();

    phoneStore.handleState({ state: 'off' });
    await expect.poll(() => screen.queryByTestId('status-phone')).toBeNull();
  });
});
