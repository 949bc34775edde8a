import { render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.svelte';
import { queueStore } from '../stores/queue.svelte';
import { session } from '../stores/session.svelte';
import StatusBar from './StatusBar.svelte';

const attendant = (username: string, unreachable: boolean) => ({
  username,
  name: username === 'sophie' ? 'Sophie' : 'Marc',
  extension: '20' + username.length,
  queues: [],
  available: true,
  onCall: false,
  idleSince: '',
  unreachable,
});

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
});
afterEach(() => {
  session.user = null;
  queueStore.applySnapshot({ seq: 0, queues: [], attendants: [] });
});

describe('StatusBar: phone not registered', () => {
  it('warns me when my phone cannot be rung, and marks other attendants', async () => {
    queueStore.applySnapshot({ seq: 1, queues: [], attendants: [attendant('sophie', false), attendant('marc', true)] });
    render(StatusBar);
    expect(screen.queryByTestId('status-unreachable')).toBeNull();
    const marc = document.querySelector('[data-attendant="marc"]')!;
    expect(marc.querySelector('[data-testid="attendant-unreachable"]')?.textContent).toContain('Phone not registered');

    queueStore.applySnapshot({ seq: 2, queues: [], attendants: [attendant('sophie', true), attendant('marc', false)] });
    const warning = await screen.findByTestId('status-unreachable');
    expect(warning.textContent).toContain('Your phone is not registered — no calls will be offered');
    expect(document.querySelector('[data-attendant="marc"] [data-testid="attendant-unreachable"]')).toBeNull();

    i18n.setLocale('fr');
    await expect.poll(() => screen.getByTestId('status-unreachable').textContent).toContain("n'est pas enregistré");
  });
});
