// W4 and O1 with the UI only: Call dials a colleague (baresip, registered as 2001) — the
// built-in softphone is rung first and auto-answers, the line shows "out", ringing then
// active — and hangs up; a number nobody can route is refused with a clear notice; a
// queue call is parked, shows in the overview's "Parked calls", and is retrieved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

test('call a number, refuse an unroutable one, park and retrieve from the UI', { timeout: 150000 }, async () => {
  const sb = switchboardOf(app);
  const { token } = await apiCall(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  await apiCall(sb, 'POST', '/users', { username: '2001', name: 'Marc Vidal', role: 'attendant', password: 'marc-password' }, token);
  colleague = await startBaresip(app.sip, '2001', 'marc-password');

  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-extension').fill('201');
  await page.locator('#login-password').press('Enter');
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.waitFor();
  await page.getByText('Softphone ready').waitFor({ timeout: 15000 });

  // W4: Call.
  await page.locator('#active-number').fill('2001');
  await workspace.getByRole('button', { name: 'Call', exact: true }).click();
  const out = workspace.locator('li[data-direction="out"]');
  await out.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  assert.match(await out.textContent(), /2001/);
  // The softphone's auto-answered leg is that same line, not a second one.
  assert.equal(await workspace.locator('ul.lines > li').count(), 1);
  const established = Date.now() + 10000;
  while (!/established/i.test(colleague.output())) {
    assert.ok(Date.now() < established, `baresip did not answer:\n${colleague.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await screenshot(page, 'dial-active');
  await out.getByRole('button', { name: /^Hang up the call with/ }).click();
  await out.waitFor({ state: 'detached', timeout: 10000 });

  // A number nobody can route (no PBX configured): a clear error, nothing dialled.
  await page.locator('#active-number').fill('2999');
  await workspace.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: /no PBX is configured/ }).waitFor({ timeout: 10000 });
  assert.equal(await out.count(), 0);

  // O1: park a queue call, retrieve it from the overview.
  const call = await placeCall(app.sip, { caller: '0677001122', durationMs: 60000 });
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  const line = workspace.locator('li[data-line-id]');
  await line.waitFor({ timeout: 10000 });
  await line.getByRole('button', { name: /^Park the call with/ }).click();
  await line.waitFor({ state: 'detached', timeout: 10000 });
  const parked = page.locator('section[data-panel="overview"] section[aria-labelledby="overview-parked"] li');
  await parked.waitFor({ timeout: 10000 });
  assert.match(await parked.textContent(), /0677001122|Test Caller/);
  assert.match(await parked.textContent(), /parked by/);
  await screenshot(page, 'parked');
  await parked.getByRole('button', { name: /^Retrieve the parked call from/ }).click();
  await parked.waitFor({ state: 'detached', timeout: 15000 });
  await line.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  await line.getByRole('button', { name: /^Hang up the call with/ }).click();
  await line.waitFor({ state: 'detached', timeout: 10000 });
  call.stop();
});
