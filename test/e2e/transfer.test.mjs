// W5, W10, W8/W14 with the UI only: the built-in softphone rings with an
// offer, the attendant answers in the workspace, holds and resumes, then
// blind-transfers (safe) to a colleague whose softphone (baresip) answers and
// hears the caller. In CI there is no sound card: the softphone answers
// silently and says so, which is the behaviour under test for a missing headset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  startConsole, startBaresip, launchBrowser, openConsole, screenshot, placeCall, switchboardOf, apiCall, ADMIN_PASSWORD,
} from './harness.mjs';

let app, browser, colleague;
before(async () => {
  app = await startConsole({ args: ['--softphone=true'] });
  browser = await launchBrowser();
});
after(async () => {
  await colleague?.stop();
  await browser?.close();
  await app?.stop();
});

const recorded = (dir) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

test('answer, hold, resume and safe-transfer a call from the workspace', { timeout: 120000 }, async () => {
  const sb = switchboardOf(app);
  const { token } = await apiCall(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  await apiCall(sb, 'POST', '/users', { username: 'marc', name: 'Marc Vidal', role: 'attendant', password: 'marc-password' }, token);
  colleague = await startBaresip(app.sip, 'marc', 'marc-password');

  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-extension').fill('201');
  await page.locator('#login-password').press('Enter');
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.waitFor();

  const call = await placeCall(app.sip, { caller: '0677001122', durationMs: 40000 });
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  const hold = workspace.getByRole('button', { name: /^Hold the call with/ });
  await hold.click({ timeout: 10000 });
  await workspace.getByText('On hold').waitFor();
  assert.equal(await hold.getAttribute('aria-pressed'), 'true');
  await hold.click();
  await workspace.getByText('On hold').waitFor({ state: 'detached' });

  await page.locator('#active-number').fill('marc');
  await screenshot(page, 'transfer-before');
  await workspace.getByRole('button', { name: /^Blind transfer the call with/ }).click();
  // Our leg ends at once; the colleague's phone answers and hears the caller.
  await hold.waitFor({ state: 'detached', timeout: 10000 });
  const deadline = Date.now() + 20000;
  while (recorded(colleague.dumpDir) < 2 * 16000) {
    assert.ok(Date.now() < deadline, `the colleague heard nothing; baresip:\n${colleague.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  call.stop();
});
