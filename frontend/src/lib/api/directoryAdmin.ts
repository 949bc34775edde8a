// Directory administration (C10, administrators, L2): CSV/vCard import and export, LDAP sync.
import { call } from './transport';

export type FileFormat = 'csv' | 'vcard';

/** One rejected line of an import (Go: directory.Problem). Line: CSV line, or vCard card number. */
export interface ImportProblem {
  line: number;
  message: string;
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  problems?: ImportProblem[] | null;
}

/** LDAP attribute lists per contact field; a missing list takes the default. */
export interface LDAPMapping {
  displayName?: string[];
  firstName?: string[];
  lastName?: string[];
  department?: string[];
  jobTitle?: string[];
  workPhone?: string[];
  mobile?: string[];
  extension?: string[];
  email?: string[];
  location?: string[];
  manager?: string[];
  externalId?: string[];
  custom?: Record<string, string> | null;
}

export interface LDAPSyncReport {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  problems?: ImportProblem[] | null;
}

export interface LDAPStatus {
  enabled: boolean;
  running: boolean;
  lastSync?: string;
  lastOk?: string;
  error?: string;
  report?: LDAPSyncReport | null;
}

/** The LDAP settings as the switchboard shows them: never the password. */
export interface LDAPSettings {
  url: string;
  bindDn: string;
  passwordSet: boolean;
  baseDn: string;
  filter: string;
  attributes: LDAPMapping;
  /** Go duration: "1h0m0s", "30m". */
  interval: string;
  startTls: boolean;
  status: LDAPStatus;
}

/** What is saved; `password` left out keeps the stored one, "" removes it. */
export interface LDAPSettingsUpdate {
  url: string;
  bindDn: string;
  password?: string;
  baseDn: string;
  filter: string;
  attributes: LDAPMapping;
  interval: string;
  startTls: boolean;
}

export const DirectoryAdminAPI = {
  importFile: (format: FileFormat, content: string) => call<ImportReport>('Directory', 'Import', format, content),
  exportFile: (format: FileFormat) => call<string>('Directory', 'Export', format),
  ldap: () => call<LDAPSettings>('Directory', 'LDAPSettings'),
  saveLdap: (s: LDAPSettingsUpdate) => call<LDAPSettings>('Directory', 'SaveLDAPSettings', s),
  syncLdap: () => call<LDAPSettings>('Directory', 'SyncLDAP'),
};
export type DirectoryAdminAPI = typeof DirectoryAdminAPI;
