import { call } from './transport';
import type { Contact, NewContact, SearchResult } from './types';

export const DirectoryAPI = {
  /** Server-side search (accent/case-insensitive, multi-fragment, any phone format), ranked. "" → []. */
  search: (query: string, limit: number) => call<SearchResult[] | null>('Directory', 'Search', query, limit),
  get: (id: string) => call<Contact>('Directory', 'Get', id),
  /** Returns the stored contact (id, owner, updated and source set by the server). */
  create: (contact: NewContact) => call<Contact>('Directory', 'Create', contact),
  update: (contact: Contact) => call<Contact>('Directory', 'Update', contact),
  remove: (id: string) => call<null>('Directory', 'Delete', id),
};
export type DirectoryAPI = typeof DirectoryAPI;
