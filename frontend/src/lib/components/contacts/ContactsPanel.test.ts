import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import { favoritesStore } from '../../stores/favorites.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import ContactsPanel from '../panels/ContactsPanel.svelte';
import DetailsPanel from '../panels/DetailsPanel.svelte';
import { SEARCH_LIMIT } from '../../stores/directory.svelte';

const helene: Contact = {
  id: 'c-1',
  firstName: 'Hélène',
  lastName: 'Dubois',
  displayName: 'Hélène Dubois',
  department: 'Ventes',
  jobTitle: 'Sales assistant',
  phones: [
    { type: 'mobile', number: '+33 6 00 00 00 01' },
    { type: 'work', number: '+33 1 42 00 00 01' },
  ],
  emails: ['helene.dubois@example.com'],
  absenceMessage: 'On leave until Monday',
  custom: { Building: 'B2' },
  vip: true,
  visibility: 'public',
  source: 'local',
  owner: 'admin',
  updated: '2025-11-25T10:00:00Z',
};
const henri: Contact = { ...helene, id: 'c-2', displayName: 'Henri Martin', vip: false, absenceMessage: '', phones: [] };

/** Stubs the bridge: Directory.Search answers with the given contacts for any query. */
function stubBridge(results: Contact[]) {
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    calls.push(body);
    const data =
      body.method === 'Search'
        ? results.map((contact, i) => ({ contact, score: 10 - i }))
        : body.method === 'Calendar'
          ? { contactId: body.args[0], configured: false, reason: 'none', source: '', events: [], stale: false, error: '' }
          : null;
    return new Response(JSON.stringify(data), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

afterEach(() => {
  directoryStore.reset();
  favoritesStore.reset();
  workspaceStore.clear();
});

describe('ContactsPanel', () => {
  it('searches per keystroke, moves with arrows, opens details on Enter, and fills the active number', async () => {
    i18n.setLocale('en');
    const calls = stubBridge([helene, henri]);
    render(ContactsPanel, { collapsed: false, ontoggle: () => {} });
    render(DetailsPanel, { collapsed: false, ontoggle: () => {} });

    const search = screen.getByLabelText('Search contacts') as HTMLInputElement;
    await fireEvent.input(search, { target: { value: 'he' } });
    const rows = await vi.waitFor(() => {
      const r = document.querySelectorAll<HTMLElement>('li[data-contact-id]');
      expect(r).toHaveLength(2);
      return r;
    });
    expect(calls.at(-1)).toEqual({ service: 'Directory', method: 'Search', args: ['he', SEARCH_LIMIT] });
    // Server order kept; presence unknown; VIP badge; role line.
    expect(rows[0].dataset.contactId).toBe('c-1');
    expect(within(rows[0]).getByRole('img', { name: 'Presence unknown' })).toBeTruthy();
    expect(rows[0].textContent).toContain('VIP');
    expect(rows[0].textContent).toContain('Sales assistant · Ventes');
    // Work number listed before mobile.
    const nums = within(rows[0]).getAllByRole('button', { name: /^Use / });
    expect(nums.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Use +33 1 42 00 00 01 (Work)',
      'Use +33 6 00 00 00 01 (Mobile)',
    ]);
    expect(rows[0].classList.contains('active')).toBe(true);

    await fireEvent.keyDown(search, { key: 'ArrowDown' });
    expect(document.querySelector('li.active')?.getAttribute('data-contact-id')).toBe('c-2');
    await fireEvent.keyDown(search, { key: 'ArrowUp' });
    await fireEvent.keyDown(search, { key: 'Enter' });
    expect(directoryStore.selected?.id).toBe('c-1');

    // Details (D1).
    const card = await vi.waitFor(() => {
      const c = document.querySelector<HTMLElement>('article[data-contact-id="c-1"]');
      expect(c).not.toBeNull();
      return c!;
    });
    expect(within(card).getByRole('heading', { name: 'Hélène Dubois' })).toBeTruthy();
    expect(within(card).getByRole('link', { name: 'helene.dubois@example.com' }).getAttribute('href')).toBe(
      'mailto:helene.dubois@example.com',
    );
    expect(within(card).getByRole('note').textContent).toContain('On leave until Monday');
    expect(card.textContent).toContain('Building');
    await vi.waitFor(() => expect(card.textContent).toContain('No calendar connected'));
    expect(card.textContent).toContain('Visible to everyone');

    await fireEvent.click(nums[0]);
    expect(workspaceStore.activeNumber).toBe('+33 1 42 00 00 01');
    await fireEvent.click(within(card).getByRole('button', { name: 'Use +33 6 00 00 00 01 (Mobile)' }));
    expect(workspaceStore.activeNumber).toBe('+33 6 00 00 00 01');

    // Esc in the field clears it; the clear icon is gone.
    await fireEvent.keyDown(search, { key: 'Escape' });
    expect(directoryStore.query).toBe('');
    await vi.waitFor(() => expect(document.querySelectorAll('li[data-contact-id]')).toHaveLength(0));
    expect(screen.queryByRole('button', { name: 'Clear search' })).toBeNull();
    expect(screen.getByText('Search the directory')).toBeTruthy();
  });

  it('says so when nothing matches', async () => {
    i18n.setLocale('en');
    stubBridge([]);
    render(ContactsPanel, { collapsed: false, ontoggle: () => {} });
    await fireEvent.input(screen.getByLabelText('Search contacts'), { target: { value: 'zzz' } });
    await vi.waitFor(() =>
      expect(screen.getByText('No contact matches “zzz”', { selector: 'strong' })).toBeTruthy(),
    );
    expect(screen.getByText('Try fewer letters, another spelling or a number.')).toBeTruthy();
  });

  it('deletes from the More menu after confirmation', async () => {
    i18n.setLocale('en');
    let results = [helene, henri];
    const calls: { method: string; args: unknown[] }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body));
        calls.push(body);
        if (body.method === 'Delete') results = results.filter((c) => c.id !== body.args[0]);
        const data = body.method === 'Search' ? results.map((contact) => ({ contact, score: 1 })) : null;
        return new Response(JSON.stringify(data), { status: 200 });
      }),
    );
    render(ContactsPanel, { collapsed: false, ontoggle: () => {} });
    await fireEvent.input(screen.getByLabelText('Search contacts'), { target: { value: 'h' } });
    await vi.waitFor(() => expect(document.querySelectorAll('li[data-contact-id]')).toHaveLength(2));

    await fireEvent.click(screen.getByRole('button', { name: 'More actions for Hélène Dubois' }));
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Delete Hélène Dubois from the directory?');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await vi.waitFor(() => expect(document.querySelectorAll('li[data-contact-id]')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'Delete')?.args).toEqual(['c-1']);
    // The highlight moves to the row that took its place.
    expect(document.querySelector('li.active')?.getAttribute('data-contact-id')).toBe('c-2');
  });

  it('stars a result: one group toggles at once, several open one menu beside the star', async () => {
    i18n.setLocale('en');
    let groups = [{ id: 'default', name: '', contactIds: [] as string[], fields: [] as string[] }];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body));
        if (body.service === 'Favorites' && body.method === 'Save') groups = body.args[0];
        const view = () => groups.map((g) => ({ ...g, contacts: g.contactIds.map(() => helene) }));
        const data =
          body.method === 'Search'
            ? [helene, henri].map((contact) => ({ contact, score: 1 }))
            : body.service === 'Favorites'
              ? view()
              : null;
        return new Response(JSON.stringify(data), { status: 200 });
      }),
    );
    await favoritesStore.load('admin');
    render(ContactsPanel, { collapsed: false, ontoggle: () => {} });
    await fireEvent.input(screen.getByLabelText('Search contacts'), { target: { value: 'h' } });
    await vi.waitFor(() => expect(document.querySelectorAll('li[data-contact-id]')).toHaveLength(2));

    const star = screen.getByRole('button', { name: 'Favorite: Hélène Dubois' });
    expect(star.getAttribute('title')).toBe('Add to Favorites');
    await fireEvent.click(star);
    expect(star.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'Favorite: Henri Martin' }).getAttribute('aria-pressed')).toBe('false');
    await favoritesStore.settled();
    expect(groups[0].contactIds).toEqual(['c-1']);

    // A second group: the star of a row opens the group menu, beside that star.
    groups = [...groups, { id: 'it', name: 'IT', contactIds: [], fields: [] }];
    await favoritesStore.load('admin');
    await fireEvent.click(screen.getByRole('button', { name: 'Favorite: Henri Martin' }));
    const menu = screen.getByRole('menu', { name: 'Favorite tabs for Henri Martin' });
    expect(screen.getByRole('button', { name: 'Favorite: Henri Martin' }).getAttribute('aria-expanded')).toBe('true');
    await fireEvent.click(within(menu).getByRole('menuitemcheckbox', { name: 'IT' }));
    expect(screen.getByRole('button', { name: 'Favorite: Henri Martin' }).getAttribute('aria-pressed')).toBe('true');
    await fireEvent.keyDown(within(menu).getByRole('menuitemcheckbox', { name: 'IT' }), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Favorite: Henri Martin' }));
  });
});
