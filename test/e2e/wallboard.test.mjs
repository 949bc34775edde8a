// Live queue statistics (Q10): a real SIP caller (SIPp) waits in the embedded switchboard's
// queue, and the wallboard in Chromium shows them waiting with a ticking longest wait; when they
// hang up unanswered, the wallboard counts one abandoned call. Screenshots in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startConsole, launchBrowser, openConsole, screenshot, placeCall, ADMIN_PASSWORD, showPanels, startBaresip, logIn,
} from './harness.mjs';

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

test('the wallboard shows a waiting caller, then the abandoned call', { timeout: 90000 }, async () => {
  assert.ok(app.sip, `no SIP address in the console logs:\n${app.logs()}`);
  const page = await openConsole(browser, app.url, 'en-US');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  // Without an extension: nobody is offered the call, so it waits until the caller gives up.
  await page.locator('#login-password').press('Enter');
  await showPanels(page);

  await page.locator('button.avatar').click();
  await page.getByTestId('menu-wallboard').click();
  const board = page.getByRole('dialog', { name: 'Wallboard' });
  await board.waitFor();
  const tile = board.getByRole('article', { name: 'Reception' });
  await tile.getByTestId('wb-waiting').filter({ hasText: /^0$/ }).waitFor();

  const call = await placeCall(app.sip, { caller: '0612345678', durationMs: 8000 });
  await tile.getByTestId('wb-waiting').filter({ hasText: /^1$/ }).waitFor({ timeout: 15000 });
  await tile.locator('.timer', { hasText: /00:0[2-9]/ }).waitFor({ timeout: 10000 }); // the longest wait ticks
  await screenshot(page, 'wallboard-waiting');

  const { code, out } = await call.done;
  assert.equal(code, 0, `SIPp call failed:\n${out}`);
  await tile.getByTestId('wb-abandoned').filter({ hasText: /^1$/ }).waitFor({ timeout: 15000 });
  assert.equal(await tile.getByTestId('wb-waiting').innerText(), '0');
  assert.match(await tile.getByTestId('wb-level').innerText(), /0%[\s\S]*Below target/);
  await screenshot(page, 'wallboard-light');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await screenshot(page, 'wallboard-dark');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));

  // Esc closes it and gives the panels back.
  await page.keyboard.press('Escape');
  await board.waitFor({ state: 'detached' });
  assert.match(await page.getByTestId('queue-stats').innerText(), /Service level 0%/);
  await screenshot(page, 'wallboard-queue-header');

  // A3: the same call in today's report, in the management view.
  await page.locator('button.avatar').click();
  await page.getByTestId('menu-management').click();
  await page.getByRole('tab', { name: 'Reports' }).click();
  const reports = page.getByTestId('reports');
  await reports.getByRole('cell', { name: 'Reception' }).waitFor();
  await screenshot(page, 'wallboard-reports');
  const [download] = await Promise.all([page.waitForEvent('download'), reports.getByTestId('reports-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^day,queue_id,queue,offered,answered,abandoned,avg_wait_s,max_wait_s,service_level_pct\n/);
  assert.match(csv, /\n\d{4}-\d{2}-\d{2},reception,Reception,1,0,1,0\.0,0,0\.0\n$/);
});

test('a call answered by the attendant counts as answered, for them too', { timeout: 90000 }, async () => {
  // The attendant's softphone is baresip, answering at once; their console is at extension 201.
  phone = await startBaresip(app.sip, 'admin', ADMIN_PASSWORD);
  const page = await openConsole(browser, app.url, 'en-US');
  await page.setViewportSize({ width: 1280, height: 720 });
  // The console still has the first test's session (no extension): log out, back in at 201.
  await page.locator('button.avatar').click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await logIn(page);
  await page.locator('section[data-panel="workspace"]').waitFor();
  await page.keyboard.press('Alt+W'); // the wallboard's shortcut
  const board = page.getByRole('dialog', { name: 'Wallboard' });
  const tile = board.getByRole('article', { name: 'Reception' });
  await tile.getByTestId('wb-abandoned').filter({ hasText: /^1$/ }).waitFor(); // the first test's call

  const call = await placeCall(app.sip, { caller: '0698765432', durationMs: 3000 });
  await tile.getByTestId('wb-answered').filter({ hasText: /^1$/ }).waitFor({ timeout: 20000 });
  const me = board.getByRole('listitem').filter({ hasText: 'Administrator' });
  await me.filter({ hasText: 'On a call' }).waitFor();
  const { code, out } = await call.done;
  assert.equal(code, 0, `SIPp call failed:\n${out}`);
  // Hung up: available again, with the talk time of the call (about 3 s).
  await me.filter({ hasText: 'Available' }).filter({ hasText: /00:0[1-9]/ }).waitFor({ timeout: 15000 });
  await screenshot(page, 'wallboard-answered');
  // Answered within 20 s: 1 of the 2 finished calls.
  assert.match(await tile.getByTestId('wb-level').innerText(), /50%/);
  await page.keyboard.press('Alt+W');
  await board.waitFor({ state: 'detached' });
});
