// W4 + W8 with the UI only: the attendant calls a colleague (baresip 2001), then
// blind-transfers that outgoing call to another colleague (baresip 2002). The attendant's
// line goes away at once; 2002 answers and hears 2001 (its recording grows), and 2001 is
// still on the call: the called party is put through, not dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  startConsole, startBaresip, launchBrowser, openConsole, screenshot, switchboardOf, apiCall, ADMIN_PASSWORD,
} from './harness.mjs';

let app, browser, first, second;
before(async () => {
  app = await startConsole({ args: ['--softphone=true'] });
  browser = await launchBrowser();
});
after(async () => {
  await first?.stop();
  await second?.stop();
  await browser?.close();
  await app?.stop();
});

const recorded = (dir) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

async function until(what, cond, ms = 15000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an outgoing call is blind-transferred to a colleague from the workspace', { timeout: 120000 }, async () => {
  const sb = switchboardOf(app);
  const { token } = await apiCall(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  for (const [u, name] of [['2001', 'Marc Vidal'], ['2002', 'Léa Martin']]) {
    await apiCall(sb, 'POST', '/users', { username: u, name, role: 'attendant', password: `pw-${u}-secret` }, token);
  }
  first = await startBaresip(app.sip, '2001', 'pw-2001-secret');
  second = await startBaresip(app.sip, '2002', 'pw-2002-secret');

  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-extension').fill('201');
  await page.locator('#login-password').press('Enter');
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.waitFor();
  await page.getByText('Softphone ready').waitFor({ timeout: 15000 });

  await page.locator('#active-number').fill('2001');
  await workspace.getByRole('button', { name: 'Call', exact: true }).click();
  const out = workspace.locator('li[data-direction="out"]');
  await out.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  await until(`2001 did not answer:\n${first.output().slice(-2000)}`, () => /established/i.test(first.output()));

  await page.locator('#active-number').fill('2002');
  await screenshot(page, 'outgoing-transfer-before');
  await out.getByRole('button', { name: /^Blind transfer the call with/ }).click({ timeout: 10000 });
  await out.waitFor({ state: 'detached', timeout: 10000 });
  await until(`2002 did not answer:\n${second.output().slice(-2000)}`, () => /established/i.test(second.output()));
  const heard = recorded(second.dumpDir);
  await until(`2002 heard nothing from 2001:\n${second.output().slice(-2000)}`, () => recorded(second.dumpDir) > heard + 16000, 20000);
  assert.doesNotMatch(first.output(), /terminated|closed/i, '2001 was hung up');
});
