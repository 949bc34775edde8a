// Only English is loaded at start; another language is loaded when chosen, and the screen
// switches to it live. A file of its own: the module state must be fresh.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Login from '../components/Login.svelte';
import { catalogs, i18n } from './index.svelte';

const config = { embedded: false, server: '', version: '1.2.3', keyring: true };

describe('language catalogs', () => {
  it('are loaded on demand and the window switches live', async () => {
    expect(Object.keys(catalogs)).toEqual(['en']);
    render(Login, { config, onlogin: async () => undefined });
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();

    await i18n.setLocale('fr');
    expect(Object.keys(catalogs).sort()).toEqual(['en', 'fr']);
    expect(await screen.findByRole('button', { name: 'Se connecter' })).toBeTruthy();

    await i18n.setLocale('en');
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('keep the last choice when an earlier one finishes loading after it', async () => {
    const de = i18n.setLocale('de');
    i18n.setLocale('en');
    await de;
    expect(i18n.locale).toBe('en');
    expect(catalogs.de).toBeTruthy(); // loaded for next time
  });
});
