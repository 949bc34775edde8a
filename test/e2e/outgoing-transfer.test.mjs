// W4 + W8 with the UI only: the attendant calls a colleague (baresip 2001), then
// blind-transfers that outgoing call to another colleague (baresip 2002). The attendant's
// line goes away at once; 2002 answers and hears 2001 (its recording grows), and 2001 is
// still on the call: the called party is put through, not dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleFixture, screenshot, openWorkspace, answered, heard, recordedBytes } from './harness.mjs';

const fx = consoleFixture();

test('an outgoing call is blind-transferred to a colleague from the workspace', { timeout: 120000 }, async () => {
  const { app, browser } = fx;
  const first = await fx.colleague({ username: '2001', name: 'Marc Vidal', password: 'pw-2001-secret' });
  const second = await fx.colleague({ username: '2002', name: 'Léa Martin', password: 'pw-2002-secret' });

  const { page, workspace } = await openWorkspace(browser, app.url);
  await page.getByText('Softphone ready').waitFor({ timeout: 15000 });

  await page.locator('#active-number').fill('2001');
  await workspace.getByRole('button', { name: 'Call', exact: true }).click();
  const out = workspace.locator('li[data-direction="out"]');
  await out.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  await answered(first, '2001');

  await page.locator('#active-number').fill('2002');
  await screenshot(page, 'outgoing-transfer-before');
  await out.getByRole('button', { name: /^Blind transfer the call with/ }).click({ timeout: 10000 });
  await out.waitFor({ state: 'detached', timeout: 10000 });
  await answered(second, '2002');
  await heard(second, '2002 (from 2001)', { from: recordedBytes(second.dumpDir), bytes: 16000 });
  assert.doesNotMatch(first.output(), /terminated|closed/i, '2001 was hung up');
});
