// "Remember me" with a real OS keyring (L1): gnome-keyring's Secret Service
// on a private session bus. The password goes to the keyring, never to the
// console's files; the next start logs in by itself; logging out forgets it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole, launchBrowser, openConsole, screenshot, ADMIN_PASSWORD, showPanels } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'concierge-keyring-'));
const data = join(dir, 'console');
let bus, keyring, app, browser;
after(async () => {
  await browser?.close();
  await app?.stop();
  keyring?.kill('SIGKILL');
  bus?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startSecretService() {
  const address = `unix:path=${join(dir, 'bus')}`;
  bus = spawn('dbus-daemon', ['--session', '--nofork', `--address=${address}`], { stdio: 'ignore' });
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_DATA_HOME: join(dir, 'share') };
  for (let i = 0; i < 100; i++) {
    try { statSync(join(dir, 'bus')); break; } catch { await sleep(50); }
  }
  keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
  keyring.stdin.end('e2e-keyring-password');
  // Ask the bus whether the name is taken (asking the service itself would
  // have D-Bus start a second, locked gnome-keyring), then for the unlocked
  // login keyring.
  const send = (...args) => {
    try {
      return execFileSync('dbus-send', ['--session', '--print-reply', ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch {
      return '';
    }
  };
  for (let i = 0; ; i++) {
    const up = send('--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets').includes('boolean true');
    if (up && send('--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.ReadAlias', 'string:default').includes('/collection/login')) return address;
    assert.ok(i < 200, 'gnome-keyring did not come up');
    await sleep(50);
  }
}

/** Every file under dir, recursively. */
function files(d) {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
}

test('remember me keeps the password in the keyring and logs in at the next start', { timeout: 120000 }, async () => {
  process.env.DBUS_SESSION_BUS_ADDRESS = await startSecretService();
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
