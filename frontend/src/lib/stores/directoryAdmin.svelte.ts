// Settings → Directory (C10, administrators): import a CSV or vCard file, export the directory,
// edit the LDAP sync settings and run a sync.

import {
  DirectoryAdminAPI,
  type FileFormat,
  type ImportReport,
  type LDAPSettings,
  type LDAPSettingsUpdate,
} from '../api/directoryAdmin';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** csv for .csv/.txt, vcard for .vcf/.vcard; null for anything else. */
export function formatOf(fileName: string): FileFormat | null {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'csv' || ext === 'txt') return 'csv';
  if (ext === 'vcf' || ext === 'vcard') return 'vcard';
  return null;
}

export class DirectoryAdminStore {
  report = $state.raw<ImportReport | null>(null);
  importing = $state(false);
  importError = $state('');

  ldap = $state.raw<LDAPSettings | null>(null);
  ldapError = $state('');
  saving = $state(false);
  syncing = $state(false);

  #api: DirectoryAdminAPI;

  constructor(api: DirectoryAdminAPI = DirectoryAdminAPI) {
    this.#api = api;
  }

  /** Imports a file's text; the report lists every rejected line. Never rejects. */
  async importFile(format: FileFormat, content: string): Promise<void> {
    this.importing = true;
    this.importError = '';
    this.report = null;
    try {
      this.report = await this.#api.importFile(format, content);
    } catch (err) {
      this.importError = message(err);
    } finally {
      this.importing = false;
    }
  }

  exportFile(format: FileFormat): Promise<string> {
    return this.#api.exportFile(format);
  }

  async loadLdap(): Promise<void> {
    try {
      this.ldap = await this.#api.ldap();
      this.ldapError = '';
    } catch (err) {
      this.ldapError = message(err);
    }
  }

  /** Saves the settings; rejects with the server's message (bad URL, interval…). */
  async saveLdap(s: LDAPSettingsUpdate): Promise<void> {
    this.saving = true;
    try {
      this.ldap = await this.#api.saveLdap(s);
      this.ldapError = '';
    } finally {
      this.saving = false;
    }
  }

  /** Runs a sync now; a failure is shown with the status (the last good directory stays). */
  async syncLdap(): Promise<void> {
    this.syncing = true;
    try {
      this.ldap = await this.#api.syncLdap();
      this.ldapError = '';
    } catch (err) {
      // A failed sync is in the status, with its time; anything else (offline…) is shown apart.
      await this.loadLdap();
      if (!this.ldap?.status.error) this.ldapError = message(err);
    } finally {
      this.syncing = false;
    }
  }
}

export const directoryAdminStore = new DirectoryAdminStore();
