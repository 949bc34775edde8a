// Favorites (F1–F5) and the favorite tabs of the settings (S2): the user's groups, each an
// ordered list of directory contacts and the fields shown for them.
//
// Every change is applied at once (optimistic) and saved as one Favorites.Save of the whole
// list. Saves run one at a time; changes made while one is in flight are coalesced into the
// next, which always sends the latest state ("latest wins"). A failed save rolls back to what
// the server last confirmed and shows a notice; changes queued behind it are dropped with it,
// since they were made on top of the refused one.
//
// The active tab is not part of the server's settings document (which only round-trips the
// fields it knows), so it is remembered per user in localStorage.

import { FavoritesAPI } from '../api/favorites';
import type { Contact, FavoriteGroup, FavoriteGroupView } from '../api/types';
import { t } from '../i18n/index.svelte';
import { normalizeContact } from './directory.svelte';
import { errorText, notices } from './notices.svelte';

/** Optional fields a group can show (F5); the name and presence are always shown. */
export const FAVORITE_FIELDS = ['jobTitle', 'department', 'phones', 'emails', 'location'] as const;
export type FavoriteField = (typeof FAVORITE_FIELDS)[number];
/** What a group shows while its `fields` is empty. */
export const DEFAULT_FIELDS: readonly FavoriteField[] = ['jobTitle', 'department', 'phones'];
/**
 * Always part of a saved field list, so that "nothing but the name" is not an empty list
 * (which means "the defaults").
 */
export const NAME_FIELD = 'name';
export const MAX_GROUP_NAME = 100;

const STORAGE_PREFIX = 'concierge.favorites.activeGroup.';

/** The optional fields a group shows, in the canonical order. */
export function visibleFields(group: Pick<FavoriteGroup, 'fields'> | null | undefined): FavoriteField[] {
  const fields = group?.fields ?? [];
  if (fields.length === 0) return [...DEFAULT_FIELDS];
  return FAVORITE_FIELDS.filter((f) => fields.includes(f));
}

/** Makes a group from Go safe to render: null slices become empty ones. */
export function normalizeGroup(g: FavoriteGroupView): FavoriteGroupView {
  const contacts = (g.contacts ?? []).filter(Boolean).map(normalizeContact);
  return {
    id: g.id,
    name: g.name ?? '',
    contactIds: g.contactIds ?? contacts.map((c) => c.id),
    fields: g.fields ?? [],
    contacts,
  };
}

/** What Favorites.Save takes: the groups without their resolved contacts. */
export function toGroups(groups: readonly FavoriteGroupView[]): FavoriteGroup[] {
  return groups.map((g) => ({ id: g.id, name: g.name, contactIds: [...g.contactIds], fields: [...g.fields] }));
}

function newId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return `g-${c.randomUUID()}`;
  return `g-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export interface FavoritesStoreDeps {
  api: Pick<FavoritesAPI, 'get' | 'save'>;
  /** Told about a refused save, after the rollback (default: a notice). */
  onSaveError: (err: unknown) => void;
  storage: KeyValueStorage | null;
}

export class FavoritesStore {
  /** The groups (tabs), in order, as shown: includes changes not yet confirmed by the server. */
  groups = $state.raw<FavoriteGroupView[]>([]);
  /** The tab chosen by the user; `active` falls back to the first group. */
  activeGroupId = $state('');
  /** True once the groups were loaded for the current user. */
  loaded = $state(false);
  /** True while load() is in flight. */
  loading = $state(false);
  /** True while a save is in flight. */
  saving = $state(false);
  /** Message of the latest failed load or save, or "". */
  error = $state('');

  active = $derived.by((): FavoriteGroupView | null => {
    return this.groups.find((g) => g.id === this.activeGroupId) ?? this.groups[0] ?? null;
  });

  #deps: FavoritesStoreDeps;
  #user = '';
  /** Bumped by reset(): answers for an earlier session are dropped. */
  #epoch = 0;
  /** Bumped by every local change. */
  #version = 0;
  /** The version the server last confirmed (or that a rollback went back to). */
  #savedVersion = 0;
  /** What the server last returned: the rollback target. */
  #confirmed: FavoriteGroupView[] = [];
  #chain: Promise<void> = Promise.resolve();
  #queued = false;

  constructor(deps: Partial<FavoritesStoreDeps> = {}) {
    this.#deps = {
      api: deps.api ?? FavoritesAPI,
      onSaveError:
        deps.onSaveError ?? ((err) => notices.push(t('favorites.saveError', { error: errorText(err) }))),
      storage: deps.storage !== undefined ? deps.storage : defaultStorage(),
    };
  }

  // ---- reading -------------------------------------------------------------------------------

  group(id: string): FavoriteGroupView | undefined {
    return this.groups.find((g) => g.id === id);
  }

  /** True when the contact is in any group. */
  isFavorite(contactId: string): boolean {
    return this.groups.some((g) => g.contactIds.includes(contactId));
  }

  /** The groups the contact is in. */
  groupsOf(contactId: string): FavoriteGroupView[] {
    return this.groups.filter((g) => g.contactIds.includes(contactId));
  }

  // ---- loading -------------------------------------------------------------------------------

  /** Loads the groups (on login); `user` keys the remembered tab. Never rejects. */
  async load(user = this.#user): Promise<void> {
    this.#user = user;
    const epoch = this.#epoch;
    this.loading = true;
    try {
      const views = (await this.#deps.api.get()) ?? [];
      if (epoch !== this.#epoch) return;
      // Changes made before a reload are superseded by what the server holds.
      this.#version++;
      this.#savedVersion = this.#version;
      this.#confirmed = views.filter(Boolean).map(normalizeGroup);
      this.groups = this.#confirmed;
      this.activeGroupId = this.#remembered() ?? this.activeGroupId;
      this.loaded = true;
      this.error = '';
    } catch (err) {
      if (epoch !== this.#epoch) return;
      this.error = errorText(err);
    } finally {
      if (epoch === this.#epoch) this.loading = false;
    }
  }

  /** Back to the initial state (logout); answers still in flight are dropped. */
  reset() {
    this.#epoch++;
    this.#version++;
    this.#savedVersion = this.#version;
    this.#confirmed = [];
    this.#queued = false;
    this.#chain = Promise.resolve();
    this.#user = '';
    this.groups = [];
    this.activeGroupId = '';
    this.loaded = false;
    this.loading = false;
    this.saving = false;
    this.error = '';
  }

  // ---- the active tab ------------------------------------------------------------------------

  setActive(groupId: string) {
    if (!this.group(groupId)) return;
    this.activeGroupId = groupId;
    try {
      this.#deps.storage?.setItem(STORAGE_PREFIX + this.#user, groupId);
    } catch {
      // storage full or disabled: the tab is only remembered for this session
    }
  }

  #remembered(): string | null {
    try {
      return this.#deps.storage?.getItem(STORAGE_PREFIX + this.#user) ?? null;
    } catch {
      return null;
    }
  }

  // ---- changes (each one Save of the whole list) ---------------------------------------------

  /**
   * Adds a contact at the end of a group. `contact` (when the caller has it) is shown at once;
   * otherwise the row appears when the server answers.
   */
  add(contactId: string, groupId: string, contact?: Contact): Promise<void> {
    const known = contact ?? this.#knownContact(contactId);
    return this.#change(groupId, (g) => {
      if (g.contactIds.includes(contactId)) return null;
      return {
        ...g,
        contactIds: [...g.contactIds, contactId],
        contacts: known ? [...g.contacts, normalizeContact(known)] : g.contacts,
      };
    });
  }

  /** Removes a contact from a group; the contact itself stays in the directory (F4). */
  remove(contactId: string, groupId: string): Promise<void> {
    return this.#change(groupId, (g) => {
      if (!g.contactIds.includes(contactId)) return null;
      return {
        ...g,
        contactIds: g.contactIds.filter((id) => id !== contactId),
        contacts: g.contacts.filter((c) => c.id !== contactId),
      };
    });
  }

  /**
   * The star pressed on a contact (F3, F4): with one group it toggles there at once;
   * with several it returns true, for the caller to open the menu of groups.
   */
  pressStar(contact: Contact): boolean {
    if (this.groups.length !== 1) return this.groups.length > 1;
    void this.toggle(contact.id, this.groups[0].id, contact);
    return false;
  }

  toggle(contactId: string, groupId: string, contact?: Contact): Promise<void> {
    return this.group(groupId)?.contactIds.includes(contactId)
      ? this.remove(contactId, groupId)
      : this.add(contactId, groupId, contact);
  }

  /** Moves a contact `delta` places within its group (clamped to the ends). */
  move(contactId: string, groupId: string, delta: number): Promise<void> {
    return this.#change(groupId, (g) => {
      const i = g.contactIds.indexOf(contactId);
      const j = Math.max(0, Math.min(g.contactIds.length - 1, i + delta));
      if (i < 0 || i === j) return null;
      const ids = [...g.contactIds];
      ids.splice(j, 0, ...ids.splice(i, 1));
      const byId = new Map(g.contacts.map((c) => [c.id, c]));
      const contacts = ids.map((id) => byId.get(id)).filter((c): c is Contact => c !== undefined);
      return { ...g, contactIds: ids, contacts };
    });
  }

  /** Adds an (empty) group at the end and returns its id; "" when not loaded or no name. */
  createGroup(name: string): string {
    const clean = name.trim().slice(0, MAX_GROUP_NAME);
    if (!this.loaded || clean === '') return '';
    const id = newId();
    this.#commit([...this.groups, { id, name: clean, contactIds: [], fields: [], contacts: [] }]);
    return id;
  }

  renameGroup(id: string, name: string): Promise<void> {
    const clean = name.trim().slice(0, MAX_GROUP_NAME);
    return this.#change(id, (g) => (g.name === clean ? null : { ...g, name: clean }));
  }

  /** Deletes a group (never its contacts). The last remaining group cannot be deleted: false. */
  deleteGroup(id: string): boolean {
    if (this.groups.length <= 1 || !this.group(id)) return false;
    this.#commit(this.groups.filter((g) => g.id !== id));
    return true;
  }

  /** Sets the fields a group shows (F5); the name is always among them. */
  setFields(groupId: string, fields: readonly string[]): Promise<void> {
    const chosen = FAVORITE_FIELDS.filter((f) => fields.includes(f));
    const next = [NAME_FIELD, ...chosen];
    return this.#change(groupId, (g) =>
      g.fields.length === next.length && g.fields.every((f, i) => f === next[i]) ? null : { ...g, fields: next },
    );
  }

  /** Resolves when every save started so far has finished (tests, the settings dialog). */
  settled(): Promise<void> {
    return this.#chain;
  }

  // ---- kept in step with the directory (no save) ---------------------------------------------

  /** A contact was deleted from the directory: drop it locally (the server drops it too). */
  forget(contactId: string) {
    const drop = (gs: FavoriteGroupView[]) =>
      gs.map((g) =>
        g.contactIds.includes(contactId)
          ? {
              ...g,
              contactIds: g.contactIds.filter((id) => id !== contactId),
              contacts: g.contacts.filter((c) => c.id !== contactId),
            }
          : g,
      );
    this.groups = drop(this.groups);
    this.#confirmed = drop(this.#confirmed);
  }

  /** A contact was edited: show its new fields. */
  refreshContact(contact: Contact) {
    const fresh = normalizeContact(contact);
    const swap = (gs: FavoriteGroupView[]) =>
      gs.map((g) =>
        g.contactIds.includes(fresh.id)
          ? { ...g, contacts: g.contacts.map((c) => (c.id === fresh.id ? fresh : c)) }
          : g,
      );
    this.groups = swap(this.groups);
    this.#confirmed = swap(this.#confirmed);
  }

  // ---- saving --------------------------------------------------------------------------------

  #knownContact(id: string): Contact | undefined {
    for (const g of this.groups) {
      const c = g.contacts.find((x) => x.id === id);
      if (c) return c;
    }
    return undefined;
  }

  /** Applies `fn` to one group; null from `fn` means "nothing to change". */
  #change(groupId: string, fn: (g: FavoriteGroupView) => FavoriteGroupView | null): Promise<void> {
    if (!this.loaded) return Promise.resolve();
    const i = this.groups.findIndex((g) => g.id === groupId);
    if (i < 0) return Promise.resolve();
    const next = fn(this.groups[i]);
    if (!next) return Promise.resolve();
    const groups = [...this.groups];
    groups[i] = next;
    return this.#commit(groups);
  }

  #commit(groups: FavoriteGroupView[]): Promise<void> {
    this.groups = groups;
    this.#version++;
    if (this.#queued) return this.#chain;
    this.#queued = true;
    this.#chain = this.#chain.then(() => this.#send());
    return this.#chain;
  }

  async #send(): Promise<void> {
    this.#queued = false;
    const epoch = this.#epoch;
    const version = this.#version;
    if (version === this.#savedVersion) return; // rolled back or reloaded meanwhile
    const sent = toGroups(this.groups);
    this.saving = true;
    try {
      const views = ((await this.#deps.api.save(sent)) ?? []).filter(Boolean).map(normalizeGroup);
      if (epoch !== this.#epoch) return;
      this.#confirmed = views;
      this.#savedVersion = version;
      this.error = '';
      if (this.#version === version) {
        // Nothing changed since: show the server's view (fresh contacts, gone ones dropped).
        this.groups = views;
      } else {
        // Newer changes wait for the next save: keep them, minus contacts the server dropped.
        const kept = new Set(views.flatMap((g) => g.contactIds));
        const dropped = new Set(sent.flatMap((g) => g.contactIds).filter((id) => !kept.has(id)));
        if (dropped.size > 0) for (const id of dropped) this.forget(id);
      }
    } catch (err) {
      if (epoch !== this.#epoch) return;
      this.groups = this.#confirmed;
      this.#version++;
      this.#savedVersion = this.#version; // a save queued behind this one has nothing left to send
      this.error = errorText(err);
      this.#deps.onSaveError(err);
    } finally {
      if (epoch === this.#epoch && !this.#queued) this.saving = false;
    }
  }
}

export const favoritesStore = new FavoritesStore();
