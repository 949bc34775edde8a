import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.svelte';
import { reasonText } from './reasons';

describe('reasonText', () => {
  it('translates the switchboard reason codes and keeps unknown ones readable', async () => {
    await i18n.setLocale('fr');
    expect(reasonText('busy')).toBe('occupé');
    expect(reasonText('attendant went offline')).not.toBe('attendant went offline');
    expect(reasonText('407 Proxy Authentication Required')).toBe('407 Proxy Authentication Required');
    i18n.setLocale('en');
    expect(reasonText('not found')).toBe('number not found');
    expect(reasonText('while parked')).toBe('while parked');
  });
});
