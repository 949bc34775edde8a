// C9, F1: a click on a contact's or favorite's number offers Call, Blind transfer and Consulted
// transfer of my call there, at once; without a call to transfer only Call is offered.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Contact, FavoriteGroup, FavoriteGroupView } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { favoritesStore } from '../../stores/favorites.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import DetailsPanel from '../panels/DetailsPanel.svelte';
import FavoritesPanel from '../panels/FavoritesPanel.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import { lineUpdated as line, sbLine } from '../../stores/testing';

const jan: Contact = {
  id: 'k-1',
  displayName: 'Jan Peeters',
  department: 'IT',
  phones: [{ type: 'work', number: '204' }],
  emails: [],
  visibility: 'public',
  source: 'local',
  updated: '2026-11-25T10:00:00Z',
};

/** Stubs the bridge: Favorites.Get answers one group with Jan; records the other calls. */
function stubBridge() {
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  const groups: FavoriteGroup[] = [{ id: 'default', name: '', contactIds: ['k-1'], fields: [] }];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      let data: unknown = null;
      if (body.service === 'Favorites' && body.method === 'Get') {
        data = groups.map((g): FavoriteGroupView => ({ ...g, contacts: [jan] }));
      } else if (body.service !== 'Presence') calls.push(body);
      return new Response(JSON.stringify(data), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return calls;
}


const numberButton = () =>
  within(document.querySelector<HTMLElement>('li[data-favorite-id="k-1"]')!).getByRole('button', { name: 'Use 204 (Work)' });

beforeEach(() => {
  i18n.setLocale('en');
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.applySnapshot({ seq: 0, queues: [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }], attendants: [] });
});
afterEach(() => {
  favoritesStore.reset();
  workspaceStore.clear();
  workspaceStore.safeTransfer = true;
  phoneStore.stop();
  queueStore.stop();
  session.user = null;
  vi.unstubAllGlobals();
});

describe('number menu (C9, F1)', () => {
  it('transfers my call to a favorite in two clicks; Esc closes and gives the focus back', async () => {
    const calls = stubBridge();
    await favoritesStore.load('sophie');
    line(sbLine('c-1'));
    render(FavoritesPanel, { collapsed: false, ontoggle: () => {} });

    const num = numberButton();
    expect(num.getAttribute('aria-haspopup')).toBe('menu');
    await fireEvent.click(num);
    expect(workspaceStore.activeNumber).toBe('204');
    expect(num.getAttribute('aria-expanded')).toBe('true');
    const menu = screen.getByRole('menu', { name: 'Call or transfer to 204' });
    const items = within(menu).getAllByRole('menuitem');
    expect(items.map((i) => [i.textContent?.trim(), (i as HTMLButtonElement).disabled])).toEqual([
      ['Call', false],
      ['Blind transfer', false],
      ['Consulted transfer', false],
    ]);
    await fireEvent.keyDown(items[0], { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(num);

    await fireEvent.click(num);
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Blind transfer' }));
    expect(screen.queryByRole('menu')).toBeNull();
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Queue', method: 'Transfer', args: ['c-1', '204', true] }]));

    await fireEvent.click(num);
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Consulted transfer' }));
    await vi.waitFor(() => expect(calls.at(-1)).toEqual({ service: 'Calls', method: 'Consult', args: ['c-1', '204'] }));
  });

  it('without a call, or during a consultation, only Call; Call dials the number', async () => {
    const calls = stubBridge();
    await favoritesStore.load('sophie');
    render(FavoritesPanel, { collapsed: false, ontoggle: () => {} });

    await fireEvent.click(numberButton());
    const items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(items.map((i) => (i as HTMLButtonElement).disabled)).toEqual([false, true, true]);
    await fireEvent.click(items[0]);
    await vi.waitFor(() => expect(calls).toEqual([{ service: 'Calls', method: 'Dial', args: ['204'] }]));

    line(sbLine('c-2', { state: 'held', peer: 'c-2.consult' }));
    line(sbLine('c-2.consult', { callId: 'c-2', direction: 'out', number: '300', name: '', peer: 'c-2' }));
    await fireEvent.click(numberButton());
    const during = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(during.map((i) => (i as HTMLButtonElement).disabled)).toEqual([false, true, true]);
  });

  it('is not offered without telephony: the number only fills the active field', async () => {
    stubBridge();
    session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '', telephony: false };
    await favoritesStore.load('sophie');
    render(FavoritesPanel, { collapsed: false, ontoggle: () => {} });
    const num = numberButton();
    expect(num.getAttribute('aria-haspopup')).toBeNull();
    await fireEvent.click(num);
    expect(workspaceStore.activeNumber).toBe('204');
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('the numbers of the contact details offer the same menu', async () => {
    const calls = stubBridge();
    line(sbLine('c-3'));
    directoryStore.show(jan);
    render(DetailsPanel, { collapsed: false, ontoggle: () => {} });
    const num = within(document.querySelector<HTMLElement>('article[data-contact-id="k-1"]')!).getByRole('button', {
      name: 'Use 204 (Work)',
    });
    await fireEvent.click(num);
    expect(workspaceStore.activeNumber).toBe('204');
    expect(num.getAttribute('aria-expanded')).toBe('true');
    await fireEvent.click(within(screen.getByRole('menu', { name: 'Call or transfer to 204' })).getByRole('menuitem', { name: 'Blind transfer' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.service === 'Queue')).toEqual([{ service: 'Queue', method: 'Transfer', args: ['c-3', '204', true] }]));
    expect(screen.queryByRole('menu')).toBeNull();
    directoryStore.reset();
  });
});
