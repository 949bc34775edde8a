// "Remember me" with a real OS keyring (L1): gnome-keyring's Secret Service
// on a private session bus. The password goes to the keyring, never to the
// console's files; the next start logs in by itself; logging out forgets it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole, launchBrowser, openConsole, screenshot, ADMIN_PASSWORD, showPanels, startSecretService } from './harness.mjs';

const dir = mkdtempSync(join(tmpdir(), 'concierge-keyring-'));
const data = join(dir, 'console');
let secrets, app, browser;
after(async () => {
  await browser?.close();
  await app?.stop();
  for (const p of secrets?.procs ?? []) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under dir, recursively. */
function files(d) {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
}

test('remember me keeps the password in the keyring and logs in at the next start', { timeout: 120000 }, async () => {
  secrets = await startSecretService(dir);
  process.env.DBUS_SESSION_BUS_ADDRESS = secrets.address;
  app = await startConsole({ data, keepData: true });
  browser = await launchBrowser();
  let page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-remember').check();
  await page.locator('#login-remember-hint[data-keyring="true"]').waitFor();
  await page.locator('#login-password').press('Enter');
  await showPanels(page);
  await page.locator('section[data-panel="queue"]').waitFor();
  await page.context().close();
  await app.stop();

  // Nothing the console wrote holds the password in plain text.
  for (const f of files(data)) {
    assert.ok(!readFileSync(f).includes(ADMIN_PASSWORD), `${f} contains the password`);
  }

  // Next start: straight to the panels, no login window.
  app = await startConsole({ data, keepData: true });
  page = await openConsole(browser, app.url, 'en-US');
  await showPanels(page);
  await page.locator('section[data-panel="queue"]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('#login-username').count(), 0, 'logged in from the keyring');
  await screenshot(page, 'remembered-login');

  // Logging out forgets the password: the next start shows the login window, username kept.
  await page.getByRole('button', { name: /Administrator/ }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.locator('#login-username').waitFor();
  await page.context().close();
  await app.stop();
  app = await startConsole({ data, keepData: true });
  page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').waitFor();
  assert.equal(await page.locator('#login-username').inputValue(), 'admin');
  assert.equal(await page.locator('#login-password').inputValue(), '');
});
