// The local cache (issue 5): a console of a remote switchboard shows the
// attendant's favorites and settings after a restart while the switchboard is
// down, says it is reconnecting, and goes online by itself when it is back.
// No keyring in this environment: "remember me" keeps the username only, and
// the attendant types the password, which the cache checks offline.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startConsole, launchBrowser, openConsole, screenshot, switchboardOf, apiCall, ADMIN_PASSWORD, showPanels,
} from './harness.mjs';

let host, host2, remote, browser;
const consoleData = mkdtempSync(join(tmpdir(), 'concierge-cache-'));
after(async () => {
  await browser?.close();
  await remote?.stop();
  await host2?.stop();
  await host?.stop();
  rmSync(consoleData, { recursive: true, force: true });
});

async function login(page, { fillUsername = true } = {}) {
  if (fillUsername) await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-password').press('Enter');
  await showPanels(page);
}

test('favorites and settings stay on screen across a restart while the switchboard is down', { timeout: 120000 }, async () => {
  // The switchboard picks its API port (a port found free could be taken before it binds it); it
  // comes back on the same one below.
  host = await startConsole({ args: ['--api', '127.0.0.1:0'], keepData: true });
  const sb = switchboardOf(host);
  const { port } = new URL(sb.url);

  // The admin's data on the switchboard: Dutch, and one favorite.
  const { token } = await apiCall(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  const anna = await apiCall(sb, 'POST', '/contacts', { displayName: 'Anna Jansen', firstName: 'Anna', lastName: 'Jansen' }, token);
  await apiCall(sb, 'PUT', '/me/favorites', [{ id: 'g1', name: 'Directie', contactIds: [anna.id], fields: [] }], token);
  await apiCall(sb, 'PUT', '/me/settings', { language: 'nl' }, token);

  const remoteArgs = ['--server', sb.url, '--fingerprint', sb.fingerprint];
  remote = await startConsole({ data: consoleData, keepData: true, args: remoteArgs });
  browser = await launchBrowser();
  let page = await openConsole(browser, remote.url, 'en-US');
  await page.locator('#login-remember').check();
  // No Secret Service here: the form says the password will not be kept.
  await page.locator('#login-remember-hint[data-keyring="false"]').waitFor();
  await login(page);
  let favorites = page.locator('section[data-panel="favorites"]');
  await favorites.getByText('Anna Jansen').first().waitFor({ timeout: 15000 });
  await page.getByRole('heading', { name: 'Favorieten' }).waitFor();
  await page.context().close();
  await remote.stop();

  // The switchboard crashes; the console starts again.
  await host.kill();
  remote = await startConsole({ data: consoleData, keepData: true, args: remoteArgs });
  page = await openConsole(browser, remote.url, 'en-US');
  await page.locator('#login-username').waitFor();
  assert.equal(await page.locator('#login-username').inputValue(), 'admin', 'remember me kept the username');
  await login(page, { fillUsername: false });
  favorites = page.locator('section[data-panel="favorites"]');
  await favorites.getByText('Anna Jansen').first().waitFor({ timeout: 15000 });
  await page.getByRole('heading', { name: 'Favorieten' }).waitFor();
  const banner = page.locator('[data-testid=connection-banner]');
  await banner.waitFor({ timeout: 10000 });
  await screenshot(page, 'offline-cache');

  // The switchboard comes back at the same address: the console goes online.
  host2 = await startConsole({ data: host.data, args: ['--api', `127.0.0.1:${port}`] });
  await banner.waitFor({ state: 'detached', timeout: 30000 });
  await favorites.getByText('Anna Jansen').first().waitFor();
  assert.match(remote.logs(), /session online/);
  rmSync(host.data, { recursive: true, force: true });
});

test('a garbage cache file is moved aside and the console still works', { timeout: 60000 }, async () => {
  const { writeFileSync, readdirSync } = await import('node:fs');
  const data = mkdtempSync(join(tmpdir(), 'concierge-garbage-'));
  writeFileSync(join(data, 'cache.db'), 'this is not a bbolt file\n'.repeat(500));
  const app = await startConsole({ data });
  try {
    assert.match(app.logs(), /moved aside/);
    assert.ok(readdirSync(data).some((f) => f.startsWith('cache.db.corrupt-')), 'the damaged file is kept aside');
    const page = await openConsole(browser, app.url, 'en-US');
    await login(page);
    await page.locator('section[data-panel="favorites"]').waitFor({ timeout: 15000 });
    await page.context().close();
  } finally {
    await app.stop();
  }
});
