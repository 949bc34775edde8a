// W5, W10, W8/W14 with the UI only: the built-in softphone rings with an
// offer, the attendant answers in the workspace, holds and resumes, then
// blind-transfers (safe) to a colleague whose softphone (baresip) answers and
// hears the caller. In CI there is no sound card: the softphone answers
// silently and says so, which is the behaviour under test for a missing headset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleFixture, screenshot, placeCall, openWorkspace, heard } from './harness.mjs';

const fx = consoleFixture();

test('answer, hold, resume and safe-transfer a call from the workspace', { timeout: 120000 }, async () => {
  const { app, browser } = fx;
  const colleague = await fx.colleague({ username: 'marc', name: 'Marc Vidal', password: 'marc-password' });

  const { page, workspace } = await openWorkspace(browser, app.url);

  const call = await placeCall(app.sip, { caller: '0677001122', durationMs: 40000 });
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  // W2: the answered line shows, beside its talk timer, how long the caller waited in the queue.
  const waited = workspace.locator('li[data-line-id] .waited');
  await waited.waitFor({ timeout: 10000 });
  assert.match(await waited.textContent(), /^\s*waited \d\d:\d\d\s*$/);
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
  await heard(colleague, 'the colleague');
  call.stop();
});
