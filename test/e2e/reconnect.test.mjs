// L7: a console connected to a remote switchboard shows a banner while the
// switchboard is down (killed, as in a crash), reconnects by itself when it
// is back, keeps its login (sessions are stored), and resyncs the queue.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  startConsole, launchBrowser, openConsole, screenshot, placeCall, switchboardOf, ADMIN_PASSWORD, showPanels,
} from './harness.mjs';

let host, host2, remote, browser;
after(async () => {
  await browser?.close();
  await remote?.stop();
  await host2?.stop();
  await host?.stop();
});

test('a console rides out a switchboard crash and resyncs', { timeout: 120000 }, async () => {
  // The switchboard picks its API port (a port found free could be taken before it binds it); it
  // comes back on the same one below.
  host = await startConsole({ args: ['--api', '127.0.0.1:0'], keepData: true });
  const sb = switchboardOf(host);
  const { port } = new URL(sb.url);
  remote = await startConsole({ args: ['--server', sb.url, '--fingerprint', sb.fingerprint] });
  browser = await launchBrowser();
  const page = await openConsole(browser, remote.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-password').press('Enter');
  await showPanels(page);
  const queue = page.locator('section[data-panel="queue"]');
  await queue.waitFor();

  const call = placeCall(host.sip, { caller: '0655555555', durationMs: 60000 });
  const row = queue.locator('tr[data-call-id]', { hasText: '0655555555' });
  await row.waitFor({ timeout: 20000 });

  await host.kill();
  const banner = page.locator('[data-testid=connection-banner]');
  await banner.waitFor({ timeout: 20000 });
  await screenshot(page, 'reconnect-banner');

  // Back on the same port and data: same certificate, same stored sessions.
  host2 = await startConsole({ data: host.data, args: ['--api', `127.0.0.1:${port}`] });
  await banner.waitFor({ state: 'detached', timeout: 30000 });
  assert.equal(await page.locator('#login-username').count(), 0, 'still logged in after the switchboard restarted');
  // The old call died with the old process; the resynced queue no longer shows it.
  await row.waitFor({ state: 'detached', timeout: 10000 });
  const second = await placeCall(host2.sip, { caller: '0666666666', durationMs: 3000 });
  await queue.locator('tr[data-call-id]', { hasText: '0666666666' }).waitFor({ timeout: 20000 });
  (await call).stop();
  await second.done;
  rmSync(host.data, { recursive: true, force: true });
});
