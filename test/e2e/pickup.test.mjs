// The attendant's softphone is baresip, registered at the embedded
// switchboard. From the UI in Chromium the attendant goes busy, picks a
// waiting call directly from the queue (Q5), and the caller is bridged to
// the softphone, which hears the caller's audio.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startConsole, startBaresip, launchBrowser, openConsole, screenshot, placeCall, ADMIN_PASSWORD } from './harness.mjs';

let app, browser, phone;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await phone?.stop();
  await browser?.close();
  await app?.stop();
});

const recorded = (dir) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

test('busy attendant picks up a waiting call from the queue; the softphone hears the caller', { timeout: 90000 }, async () => {
  phone = await startBaresip(app.sip, 'admin', ADMIN_PASSWORD);
  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-extension').fill('201');
  await page.locator('#login-password').press('Enter');
  const queue = page.locator('section[data-panel="queue"]');
  await queue.waitFor();

  // Busy (L4): the call must wait in the queue instead of being offered.
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitemradio', { name: 'Busy' }).click();
  await page.keyboard.press('Escape');

  const call = await placeCall(app.sip, { caller: '0611223344', durationMs: 15000 });
  const row = queue.locator('tr[data-call-id]', { hasText: '0611223344' });
  await row.waitFor({ timeout: 20000 });
  await page.waitForTimeout(1000);
  assert.equal(await row.getByText(/offered|proposé/i).count(), 0, 'a busy attendant is offered nothing');

  await row.getByRole('button', { name: 'Pick up' }).click();
  // Bridged: the call leaves the queue at every console.
  await row.waitFor({ state: 'detached', timeout: 20000 });
  await screenshot(page, 'pickup-bridged');
  // baresip records what it hears: more than two seconds of the caller.
  const deadline = Date.now() + 15000;
  while (recorded(phone.dumpDir) < 2 * 16000) {
    assert.ok(Date.now() < deadline, `softphone recorded ${recorded(phone.dumpDir)} bytes; baresip said:\n${phone.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const { code, out } = await call.done;
  assert.equal(code, 0, `SIPp call failed:\n${out}`);
});
