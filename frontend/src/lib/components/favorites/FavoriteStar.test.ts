import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact, FavoriteGroup, FavoriteGroupView } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import { favoritesStore } from '../../stores/favorites.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';
import FavoritesPanel from '../panels/FavoritesPanel.svelte';
import FavoriteStar from './FavoriteStar.svelte';

const helene: Contact = {
  id: 'c-1',
  displayName: 'Hélène Dubois',
  department: 'Ventes',
  jobTitle: 'Sales assistant',
  phones: [{ type: 'work', number: '+33 1 42 00 00 01' }],
  emails: ['helene.dubois@example.com'],
  visibility: 'public',
  source: 'local',
  updated: '2025-11-25T10:00:00Z',
};

/** Stubs the bridge: Favorites.Get answers `groups`, Favorites.Save resolves what it is sent. */
function stubBridge(groups: FavoriteGroup[]) {
  const saves: FavoriteGroup[][] = [];
  const resolve = (gs: FavoriteGroup[]): FavoriteGroupView[] =>
    gs.map((g) => ({ ...g, contacts: g.contactIds.map((id) => (id === helene.id ? helene : null)).filter(Boolean) as Contact[] }));
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      let data: unknown = null;
      if (body.service === 'Favorites' && body.method === 'Get') data = resolve(groups);
      if (body.service === 'Favorites' && body.method === 'Save') {
        saves.push(body.args[0]);
        data = resolve(body.args[0]);
      }
      return new Response(JSON.stringify(data), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return saves;
}

afterEach(() => {
  favoritesStore.reset();
  directoryStore.reset();
  workspaceStore.clear();
});

describe('FavoriteStar', () => {
  it('with several groups, opens a menu with one checkbox per group', async () => {
    i18n.setLocale('en');
    const saves = stubBridge([
      { id: 'default', name: '', contactIds: [], fields: [] },
      { id: 'it', name: 'IT', contactIds: [], fields: [] },
    ]);
    await favoritesStore.load('admin');
    render(FavoriteStar, { contact: helene });

    const star = screen.getByRole('button', { name: 'Favorite: Hélène Dubois' });
    expect(star.getAttribute('aria-pressed')).toBe('false');
    expect(star.getAttribute('aria-haspopup')).toBe('menu');
    await fireEvent.click(star);

    const menu = screen.getByRole('menu', { name: 'Favorite tabs for Hélène Dubois' });
    const items = within(menu).getAllByRole('menuitemcheckbox');
    expect(items.map((i) => i.textContent?.trim())).toEqual(['Favorites', 'IT']);
    expect(items.map((i) => i.getAttribute('aria-checked'))).toEqual(['false', 'false']);
    expect(items[1].getAttribute('title')).toBe('Add to IT');

    await fireEvent.click(items[1]);
    // Optimistic: filled at once, saved in the background.
    expect(star.getAttribute('aria-pressed')).toBe('true');
    expect(items[1].getAttribute('aria-checked')).toBe('true');
    expect(items[1].getAttribute('title')).toBe('Remove from IT');
    await favoritesStore.settled();
    expect(saves.at(-1)).toEqual([
      { id: 'default', name: '', contactIds: [], fields: [] },
      { id: 'it', name: 'IT', contactIds: ['c-1'], fields: [] },
    ]);

    // Esc closes the menu and gives the focus back to the star.
    await fireEvent.keyDown(items[1], { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(star);

    // Star again → uncheck IT: removed from that group only.
    await fireEvent.click(star);
    await fireEvent.click(screen.getByRole('menuitemcheckbox', { name: 'IT' }));
    expect(star.getAttribute('aria-pressed')).toBe('false');
    await favoritesStore.settled();
    expect(saves.at(-1)![1].contactIds).toEqual([]);
  });

  it('with a single group, toggles directly', async () => {
    i18n.setLocale('en');
    const saves = stubBridge([{ id: 'default', name: '', contactIds: [], fields: [] }]);
    await favoritesStore.load('admin');
    render(FavoriteStar, { contact: helene });

    const star = screen.getByRole('button', { name: 'Favorite: Hélène Dubois' });
    expect(star.getAttribute('aria-haspopup')).toBeNull();
    expect(star.getAttribute('title')).toBe('Add to Favorites');
    await fireEvent.click(star);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(star.getAttribute('aria-pressed')).toBe('true');
    await favoritesStore.settled();
    expect(saves).toEqual([[{ id: 'default', name: '', contactIds: ['c-1'], fields: [] }]]);
    await fireEvent.click(star);
    expect(star.getAttribute('aria-pressed')).toBe('false');
  });

  it('is disabled until the favorites are loaded', () => {
    i18n.setLocale('en');
    render(FavoriteStar, { contact: helene });
    expect((screen.getByRole('button', { name: 'Favorite: Hélène Dubois' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('FavoritesPanel', () => {
  it('shows the active tab, switches with the keyboard, opens details, removes via More', async () => {
    i18n.setLocale('en');
    const saves = stubBridge([
      { id: 'default', name: '', contactIds: [], fields: [] },
      { id: 'it', name: 'IT', contactIds: ['c-1'], fields: [] },
    ]);
    await favoritesStore.load('admin');
    render(FavoritesPanel, { collapsed: false, ontoggle: () => {} });

    // The contact count of a tab is not part of its name.
    const tabs = [screen.getByRole('tab', { name: 'Favorites' }), screen.getByRole('tab', { name: 'IT' })];
    expect(screen.getAllByRole('tab')).toEqual(tabs);
    expect(tabs[0].getAttribute('aria-selected')).toBe('true');
    expect(screen.getByText('No favorites yet')).toBeTruthy();

    await fireEvent.keyDown(tabs[0], { key: 'ArrowRight' });
    expect(tabs[1].getAttribute('aria-selected')).toBe('true');
    const row = document.querySelector<HTMLElement>('li[data-favorite-id="c-1"]')!;
    expect(row).not.toBeNull();
    expect(within(row).getByRole('img', { name: 'Presence unknown' })).toBeTruthy();
    expect(row.textContent).toContain('Sales assistant · Ventes');
    expect(row.textContent).not.toContain('helene.dubois@example.com'); // e-mail is not a default field

    await fireEvent.click(within(row).getByRole('button', { name: 'Use +33 1 42 00 00 01 (Work)' }));
    expect(workspaceStore.activeNumber).toBe('+33 1 42 00 00 01');
    await fireEvent.click(within(row).getByRole('button', { name: /^Hélène Dubois/ }));
    expect(directoryStore.selected?.id).toBe('c-1');

    // F5: the gear chooses the fields of the active group.
    await fireEvent.click(screen.getByRole('button', { name: 'Visible fields' }));
    const fields = screen.getByRole('dialog', { name: 'Fields shown in IT' });
    await fireEvent.click(within(fields).getByLabelText('E-mail'));
    expect(row.textContent).toContain('helene.dubois@example.com');
    await favoritesStore.settled();
    expect(saves.at(-1)![1].fields).toEqual(['name', 'jobTitle', 'department', 'phones', 'emails']);
    await fireEvent.keyDown(within(fields).getByLabelText('E-mail'), { key: 'Escape' });

    // F4: More → Remove from favorites (the contact itself is not deleted).
    await fireEvent.click(within(row).getByRole('button', { name: 'More actions for Hélène Dubois' }));
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Remove from favorites' }));
    expect(document.querySelector('li[data-favorite-id]')).toBeNull();
    await favoritesStore.settled();
    expect(saves.at(-1)![1].contactIds).toEqual([]);
    expect(directoryStore.selected?.id).toBe('c-1');
  });

  it('F4: the star of a favorite lists its groups; unticking the group shown removes it from that group only', async () => {
    i18n.setLocale('en');
    const saves = stubBridge([
      { id: 'default', name: '', contactIds: ['c-1'], fields: [] },
      { id: 'it', name: 'IT', contactIds: ['c-1'], fields: [] },
    ]);
    await favoritesStore.load('admin');
    favoritesStore.setActive('it');
    render(FavoritesPanel, { collapsed: false, ontoggle: () => {} });

    const row = document.querySelector<HTMLElement>('li[data-favorite-id="c-1"]')!;
    const star = within(row).getByRole('button', { name: 'Favorite: Hélène Dubois' });
    expect(star.getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(star);
    const menu = screen.getByRole('menu', { name: 'Favorite tabs for Hélène Dubois' });
    const items = within(menu).getAllByRole('menuitemcheckbox');
    expect(items.map((i) => [i.textContent?.trim(), i.getAttribute('aria-checked')])).toEqual([
      ['Favorites', 'true'],
      ['IT', 'true'],
    ]);

    await fireEvent.click(within(menu).getByRole('menuitemcheckbox', { name: 'IT' }));
    // The row leaves the IT tab, its menu with it; the focus goes back to the tabs.
    await vi.waitFor(() => expect(document.querySelector('li[data-favorite-id]')).toBeNull());
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'IT' }));
    await favoritesStore.settled();
    expect(saves.at(-1)!.map((g) => g.contactIds)).toEqual([['c-1'], []]);

    // Still a favorite in the other tab.
    await fireEvent.click(screen.getByRole('tab', { name: 'Favorites' }));
    expect(document.querySelector('li[data-favorite-id="c-1"]')).not.toBeNull();
  });

  it('F4: with one group, the star of a favorite removes it at once', async () => {
    i18n.setLocale('en');
    const saves = stubBridge([{ id: 'default', name: '', contactIds: ['c-1'], fields: [] }]);
    await favoritesStore.load('admin');
    render(FavoritesPanel, { collapsed: false, ontoggle: () => {} });

    const row = document.querySelector<HTMLElement>('li[data-favorite-id="c-1"]')!;
    const star = within(row).getByRole('button', { name: 'Favorite: Hélène Dubois' });
    expect(star.getAttribute('title')).toBe('Remove from Favorites');
    await fireEvent.click(star);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.querySelector('li[data-favorite-id]')).toBeNull();
    await favoritesStore.settled();
    expect(saves).toEqual([[{ id: 'default', name: '', contactIds: [], fields: [] }]]);
  });
});
