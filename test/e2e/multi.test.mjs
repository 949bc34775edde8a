// Two consoles share one switchboard: the second console connects to the
// first one's embedded switchboard over HTTPS (pinned certificate). Each
// attendant sees the other in the status bar, and a waiting call shows on both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startConsole, launchBrowser, openConsole, screenshot, placeCall, switchboardOf, apiCall, ADMIN_PASSWORD,
} from './harness.mjs';

let a, b, browser;
before(async () => {
  a = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await b?.stop();
  await a?.stop();
});

async function login(page, user, password, extension) {
  await page.locator('#login-username').fill(user);
  await page.locator('#login-password').fill(password);
  await page.locator('#login-extension').fill(extension);
  await page.locator('#login-password').press('Enter');
  await page.locator('section[data-panel="queue"]').waitFor();
  await page.getByRole('button', { name: /Account menu|Menu du compte/ }).click();
  await page.getByRole('menuitemradio', { name: /^(Busy|Occupé)$/ }).click();
  await page.keyboard.press('Escape');
}

test('two consoles on one switchboard see each other and the same queue', { timeout: 90000 }, async () => {
  const sb = switchboardOf(a);
  const { token } = await apiCall(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  await apiCall(sb, 'POST', '/users', { username: 'bea', name: 'Béatrice Laurent', role: 'attendant', password: 'bea-password' }, token);
  b = await startConsole({ args: ['--server', sb.url, '--fingerprint', sb.fingerprint] });

  const pa = await openConsole(browser, a.url, 'en-US');
  await login(pa, 'admin', ADMIN_PASSWORD, '201');
  const pb = await openConsole(browser, b.url, 'fr-FR');
  // A console with a remote switchboard shows its address, prefilled.
  assert.equal(await pb.locator('#login-server').inputValue(), sb.url);
  await login(pb, 'bea', 'bea-password', '202');

  await pa.locator('footer, [role=contentinfo]').getByText('Béatrice Laurent').waitFor({ timeout: 10000 });
  await pb.locator('footer, [role=contentinfo]').getByText('Administrator').waitFor({ timeout: 10000 });

  const call = await placeCall(a.sip, { caller: '+33142868200', durationMs: 5000 });
  for (const page of [pa, pb]) {
    await page.locator('section[data-panel="queue"] tr[data-call-id]', { hasText: '+33142868200' }).waitFor({ timeout: 20000 });
  }
  await screenshot(pb, 'second-console-fr');
  await call.done;
  for (const page of [pa, pb]) {
    await page.locator('section[data-panel="queue"] tr[data-call-id]').first().waitFor({ state: 'detached', timeout: 20000 });
  }
});
