// W4 and O1 with the UI only: Call dials a colleague (baresip, registered as 2001) — the
// built-in softphone is rung first and auto-answers, the line shows "out", ringing then
// active — and hangs up; a number nobody can route is refused with a clear notice; a
// queue call gets a note in the workspace (W13), is parked, shows in the overview's "Parked
// calls" with its note, and is retrieved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleFixture, screenshot, placeCall, openWorkspace, answered } from './harness.mjs';

const fx = consoleFixture();

test('call a number, refuse an unroutable one, park and retrieve from the UI', { timeout: 150000 }, async () => {
  const { app, browser } = fx;
  const colleague = await fx.colleague({ username: '2001', name: 'Marc Vidal', password: 'marc-password' });

  const { page, workspace } = await openWorkspace(browser, app.url);
  await page.getByText('Softphone ready').waitFor({ timeout: 15000 });

  // W4: Call.
  await page.locator('#active-number').fill('2001');
  await workspace.getByRole('button', { name: 'Call', exact: true }).click();
  const out = workspace.locator('li[data-direction="out"]');
  await out.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  assert.match(await out.textContent(), /2001/);
  // The softphone's auto-answered leg is that same line, not a second one.
  assert.equal(await workspace.locator('ul.lines > li').count(), 1);
  await answered(colleague, 'baresip', 10000);
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
  // W13: a note written on the answered call in the workspace; the switchboard keeps it with the
  // call, so the parked call shows it to every attendant.
  await line.getByRole('button', { name: /^Note for/ }).click();
  const note = line.getByRole('textbox', { name: /^Note for/ });
  await note.fill('Wants the March invoice');
  await note.press('Enter');
  await line.getByText('Wants the March invoice').waitFor({ timeout: 10000 });
  await line.getByRole('button', { name: /^Park the call with/ }).click();
  await line.waitFor({ state: 'detached', timeout: 10000 });
  const parked = page.locator('section[data-panel="overview"] section[aria-labelledby="overview-parked"] li');
  await parked.waitFor({ timeout: 10000 });
  assert.match(await parked.textContent(), /0677001122|Test Caller/);
  assert.match(await parked.textContent(), /parked by/);
  assert.match(await parked.textContent(), /Wants the March invoice/);
  await screenshot(page, 'parked');
  await parked.getByRole('button', { name: /^Retrieve the parked call from/ }).click();
  await parked.waitFor({ state: 'detached', timeout: 15000 });
  await line.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  assert.match(await line.textContent(), /Wants the March invoice/);
  await line.getByRole('button', { name: /^Hang up the call with/ }).click();
  await line.waitFor({ state: 'detached', timeout: 10000 });
  call.stop();
});
