// S5 with the keyboard only: log in, go busy, pick up the next waiting call, hold, resume,
// mute and hang up with the default keys, while a real SIPp caller waits in the queue and
// hears the hang-up (its BYE). Then the help overlay lists the keys, a key remapped in the
// settings works at once, shows in the tooltip and survives a reload (kept on the switchboard).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import {
  consoleFixture, openConsole, screenshot, placeCall, adminSession, heard, root, until, ADMIN_PASSWORD,
} from './harness.mjs';

// The built-in softphone answers pickups (silently: there is no sound card here).
const fx = consoleFixture();
let caller;
after(() => caller?.kill('SIGKILL'));

/** A SIPp caller that stays until the far end hangs up (its BYE), then exits 0. */
function callUntilBye(sip, number) {
  const [host, port] = sip.split(':');
  const proc = spawn('sipp', [
    `${host}:${port}`, '-sf', join(root, 'test/sipp/caller_until_bye.xml'), '-s', 'reception',
    '-i', '127.0.0.1', '-p', '0', '-mi', '127.0.0.1', '-m', '1', '-key', 'caller', number,
    '-key', 'rtpport', '4000', '-key', 'pcap', '/usr/share/sip-tester/g711a.pcap', '-nostdin',
  ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const done = new Promise((res) => proc.on('exit', (code) => res({ code, out })));
  return Object.assign(proc, { done });
}

test('a call handled from the keyboard alone', { timeout: 120000 }, async () => {
  const { app, browser } = fx;
  const page = await openConsole(browser, app.url, 'en-US');
  const kb = page.keyboard;

  // ---- log in: the username field has the focus; Tab between fields, Enter submits ----
  await page.locator('#login-username').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-username');
  await kb.type('admin');
  await kb.press('Tab');
  await kb.type(ADMIN_PASSWORD);
  await kb.press('Tab');
  await kb.type('201');
  await kb.press('Enter');
  const queue = page.locator('section[data-panel="queue"]');
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.waitFor();

  // ---- busy (Alt+A): the call waits in the queue instead of being offered ----
  const avatarDot = page.locator('.avatar-menu .presence.dot');
  await avatarDot.and(page.locator('.available')).waitFor();
  await kb.press('Alt+A');
  await avatarDot.and(page.locator('.busy')).waitFor();

  caller = callUntilBye(app.sip, '0677123456');
  const row = queue.locator('tr[data-call-id]', { hasText: '0677123456' });
  await row.waitFor({ timeout: 20000 });
  // The tooltip of the call the Answer key takes names the key.
  assert.match(await row.getByRole('button', { name: 'Pick up' }).getAttribute('title'), /\(F2\)$/);

  // ---- F2: pick up the next call; it leaves the queue and is active in the workspace ----
  await page.locator('#contacts-search').focus(); // keys work while the cursor is in a field
  await kb.press('F2');
  await row.waitFor({ state: 'detached', timeout: 20000 });
  const line = workspace.locator('li[data-state="active"]', { hasText: '0677123456' });
  await line.waitFor({ timeout: 20000 });
  const hold = line.getByRole('button', { name: /^Hold the call with/ });
  assert.match(await hold.getAttribute('title'), /\(F6\)$/);

  // ---- F6: hold; F6 again: resume ----
  await kb.press('F6');
  await line.getByText('On hold').waitFor({ timeout: 10000 });
  assert.equal(await hold.getAttribute('aria-pressed'), 'true');
  await screenshot(page, 'keyboard-held');
  await kb.press('F6');
  await line.getByText('On hold').waitFor({ state: 'detached', timeout: 10000 });
  assert.equal(await hold.getAttribute('aria-pressed'), 'false');

  // ---- F7: mute and unmute ----
  await kb.press('F7');
  await line.getByText('Muted').waitFor({ timeout: 10000 });
  await kb.press('F7');
  await line.getByText('Muted').waitFor({ state: 'detached', timeout: 10000 });

  // ---- F4: hang up; the caller gets the BYE ----
  await kb.press('F4');
  await line.waitFor({ state: 'detached', timeout: 10000 });
  const { code, out } = await caller.done;
  assert.equal(code, 0, `the caller did not get a clean hang-up:\n${out.slice(-2000)}`);
  await queue.locator('[data-testid="queue-empty"]').waitFor();

  // ---- F1: the help overlay lists every shortcut; Esc closes it ----
  await kb.press('F1');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match(await help.locator('[data-action="hold"]').innerText(), /Hold \/ resume\s+F6/);
  assert.match(await help.locator('[data-action="help"]').innerText(), /F1\s+or\s+\?/);
  await screenshot(page, 'keyboard-help');
  await kb.press('Escape');
  await help.waitFor({ state: 'hidden' });

  // ---- remap Hold to Alt+H in the settings (Ctrl+,), refusing a key in use ----
  await page.locator('body').focus();
  await kb.press('Control+Comma');
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.waitFor();
  await settings.getByRole('tab', { name: 'General' }).focus();
  const shortcutsTab = settings.getByRole('tab', { name: 'Shortcuts' });
  for (let i = 0; i < 8 && (await shortcutsTab.getAttribute('aria-selected')) !== 'true'; i++) {
    await page.keyboard.press('ArrowDown'); // tabs: ↓ moves to the next one
  }
  await settings.getByRole('tab', { name: 'Shortcuts', selected: true }).waitFor();
  const change = settings.getByRole('button', { name: 'Change the key of “Hold / resume”' });
  await change.focus();
  await kb.press('Enter');
  await settings.getByRole('button', { name: /^Press the new key for “Hold \/ resume”/ }).waitFor();
  await kb.press('F7'); // Mute's key: refused, with the reason
  await settings.getByRole('alert').getByText('F7 is already used by “Mute / unmute”.', { exact: false }).waitFor();
  // The settings Save that carries the new key, answered by the bridge.
  const saved = page.waitForResponse((r) => r.url().endsWith('/bridge/call') && r.ok()
    && /"Settings".*"Save".*Alt\+H/.test(r.request().postData() ?? ''));
  await kb.press('Alt+H');
  await settings.locator('li[data-action="hold"] kbd', { hasText: 'Alt+H' }).waitFor();
  await screenshot(page, 'keyboard-settings');
  await kb.press('Escape'); // closes the settings
  await settings.waitFor({ state: 'hidden' });

  // Saved on the switchboard: after a reload the help shows Alt+H for Hold.
  await saved;
  await page.reload();
  await workspace.waitFor();
  await page.locator('body').focus();
  await kb.press('?');
  await help.waitFor();
  assert.match(await help.locator('[data-action="hold"]').innerText(), /Alt\+H/);
  await kb.press('Escape');
  await page.context().close();
});

test('Enter on a contact transfers the active call (setting "Enter on a contact")', { timeout: 120000 }, async () => {
  const { app, browser } = fx;
  // A colleague whose softphone (baresip) answers, and her contact card with that extension.
  const colleague = await fx.colleague({ username: '2001', name: 'Marie Vidal', password: 'marie-password' });
  const { sb, token } = await adminSession(app);
  await new Promise((resolve, reject) => {
    const req = https.request(`${sb.url}/api/v1/contacts/import`, {
      method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${token}` },
    }, (res) => (res.statusCode < 300 ? resolve() : reject(new Error(`import: ${res.statusCode}`))));
    req.on('error', reject);
    req.end('firstName;lastName;department;extension\nMarie;Vidal;Ventes;2001\nMarc;Vidal;Achats;2002\n');
  });

  // The console's session (one per console) is still the first test's: admin, ext. 201, busy.
  const page = await openConsole(browser, app.url, 'en-US');
  const kb = page.keyboard;
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.waitFor();
  await page.locator('.avatar-menu .presence.dot.busy').waitFor();

  // Settings → Shortcuts: Enter on a contact transfers.
  await kb.press('Control+Comma');
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('tab', { name: 'General' }).focus();
  const shortcutsTab = settings.getByRole('tab', { name: 'Shortcuts' });
  for (let i = 0; i < 8 && (await shortcutsTab.getAttribute('aria-selected')) !== 'true'; i++) await kb.press('ArrowDown');
  await settings.getByRole('radio', { name: 'Calls the number' }).focus();
  await kb.press('ArrowRight');
  assert.equal(await settings.getByRole('radio', { name: 'Transfers the active call' }).isChecked(), true);
  await kb.press('Escape');
  await settings.waitFor({ state: 'hidden' });

  const call = await placeCall(app.sip, { caller: '0655443322', durationMs: 60000 });
  await page.locator('section[data-panel="queue"] tr[data-call-id]').waitFor({ timeout: 20000 });
  await kb.press('F2');
  const line = workspace.locator('li[data-state="active"]', { hasText: '0655443322' });
  await line.waitFor({ timeout: 20000 });

  // Esc → search; type; ↓ to Marie (the second Vidal, alphabetically or by rank); Enter.
  await kb.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'contacts-search');
  await kb.type('vidal');
  const rows = page.locator('#contacts-results li[data-contact-id]');
  // Wait for the results of the whole word, not of a prefix still on screen.
  let names = [];
  await until(async () => {
    names = await rows.locator('.name .text').allInnerTexts();
    return names.length >= 2 && names.every((n) => n.includes('Vidal'));
  }, () => `the results never settled on the Vidals: ${names}`, 10000);
  const marie = names.indexOf('Marie Vidal');
  assert.ok(marie >= 0, `Marie Vidal in ${names}`);
  for (let i = 0; i < marie; i++) await kb.press('ArrowDown');
  assert.match(await rows.nth(marie).getAttribute('class'), /\bactive\b/);
  await kb.press('Enter');

  assert.equal(await page.locator('#active-number').inputValue(), '2001');
  await line.waitFor({ state: 'detached', timeout: 15000 });
  await heard(colleague, 'the colleague');
  call.stop();
  await page.context().close();
});
