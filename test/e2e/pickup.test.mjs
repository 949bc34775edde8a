// The attendant's softphone is baresip, registered at the embedded
// switchboard. From the UI in Chromium the attendant goes busy, picks a
// waiting call directly from the queue (Q5), and the caller is bridged to
// the softphone, which hears the caller's audio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleFixture, startBaresip, openConsole, screenshot, placeCall, logIn, heard, ADMIN_PASSWORD,
} from './harness.mjs';

const fx = consoleFixture({ args: [] });

test('busy attendant picks up a waiting call from the queue; the softphone hears the caller', { timeout: 90000 }, async () => {
  const { app, browser } = fx;
  const phone = fx.track(await startBaresip(app.sip, 'admin', ADMIN_PASSWORD));
  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);
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
  await heard(phone, 'the softphone', { ms: 15000 });
  const { code, out } = await call.done;
  assert.equal(code, 0, `SIPp call failed:\n${out}`);
});
