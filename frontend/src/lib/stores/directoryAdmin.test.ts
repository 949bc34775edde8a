import { describe, expect, it, vi } from 'vitest';
import type { DirectoryAdminAPI, LDAPSettings } from '../api/directoryAdmin';
import { DirectoryAdminStore, formatOf } from './directoryAdmin.svelte';

const settings = (extra: Partial<LDAPSettings['status']> = {}): LDAPSettings => ({
  url: 'ldap://dc1',
  bindDn: '',
  passwordSet: true,
  baseDn: 'dc=example',
  filter: '',
  attributes: {},
  interval: '1h0m0s',
  startTls: false,
  status: { enabled: true, running: false, ...extra },
});

function api(over: Partial<DirectoryAdminAPI> = {}): DirectoryAdminAPI {
  return {
    importFile: vi.fn(),
    exportFile: vi.fn(),
    ldap: vi.fn().mockResolvedValue(settings()),
    saveLdap: vi.fn(),
    syncLdap: vi.fn(),
    ...over,
  } as DirectoryAdminAPI;
}

describe('directory administration (C10)', () => {
  it('tells the file format from its name', () => {
    expect(formatOf('Annuaire.CSV')).toBe('csv');
    expect(formatOf('export.vcf')).toBe('vcard');
    expect(formatOf('contacts.xlsx')).toBeNull();
  });

  it('keeps the import report, or the error', async () => {
    const report = { created: 2, updated: 0, unchanged: 0, failed: 1, problems: [{ line: 3, message: 'bad number' }] };
    const s = new DirectoryAdminStore(api({ importFile: vi.fn().mockResolvedValue(report) }));
    await s.importFile('csv', 'x');
    expect(s.report).toEqual(report);
    const f = new DirectoryAdminStore(api({ importFile: vi.fn().mockRejectedValue(new Error('forbidden')) }));
    await f.importFile('csv', 'x');
    expect(f.report).toBeNull();
    expect(f.importError).toBe('forbidden');
  });

  it('a failed sync shows in the status, not twice', async () => {
    const ldap = vi.fn().mockResolvedValue(settings({ error: 'ldap sync: connect refused' }));
    const s = new DirectoryAdminStore(api({ ldap, syncLdap: vi.fn().mockRejectedValue(new Error('ldap sync: connect refused')) }));
    await s.syncLdap();
    expect(s.ldap?.status.error).toBe('ldap sync: connect refused');
    expect(s.ldapError).toBe('');
    expect(s.syncing).toBe(false);
  });
});
