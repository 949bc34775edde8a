// A real SIP call (SIPp) into the embedded switchboard shows up live in the
// queue panel in Chromium, hears music on hold, and leaves the queue when the
// caller hangs up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, launchBrowser, openConsole, screenshot, placeCall, ADMIN_PASSWORD, showPanels } from './harness.mjs';

let app, browser;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a caller appears in the queue panel, hears music, and leaves on hang-up', { timeout: 60000 }, async () => {
  assert.ok(app.sip, `no SIP address in the console logs:\n${app.logs()}`);
  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  // Without an extension: this console watches the queue but is offered nothing.
  await page.locator('#login-password').press('Enter');
  await showPanels(page);
  const queue = page.locator('section[data-panel="queue"]');
  await queue.waitFor();

  const call = await placeCall(app.sip, { caller: '0612345678', durationMs: 6000 });
  const row = queue.locator('tr[data-call-id]', { hasText: '0612345678' });
  await row.waitFor({ timeout: 10000 });
  await row.filter({ hasText: /0:0[1-9]/ }).waitFor({ timeout: 5000 }); // the timer ticks
  await screenshot(page, 'queue-call');
  assert.match(await row.innerText(), /0:0[1-9]|00:0[1-9]/, 'the waiting timer runs');

  const { code, out } = await call.done;
  assert.equal(code, 0, `SIPp call failed:\n${out}`);
  assert.ok(call.rtpPackets() > 50, `caller received only ${call.rtpPackets()} RTP packets of music on hold`);
  await row.waitFor({ state: 'detached', timeout: 10000 });
});
