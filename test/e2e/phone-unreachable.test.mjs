// "Phone not registered" in the status bar (L3): the switchboard offers no call to an attendant
// whose phone it cannot ring. Softphone off and no PBX: after login nothing can ring the
// attendant, so the status bar warns; a real softphone (baresip) registering as the attendant
// clears the warning. A colleague in the same state is marked in the attendants list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, startBaresip, launchBrowser, openConsole, screenshot, apiCall, ADMIN_PASSWORD, logIn, adminSession } from './harness.mjs';

let app, remote, browser;
const phones = [];
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  for (const p of phones) await p.stop();
  await browser?.close();
  await remote?.stop();
  await app?.stop();
});

test('an attendant whose phone is not registered is warned, and marked for the others', { timeout: 90000 }, async () => {
  const { sb, token } = await adminSession(app);
  await apiCall(sb, 'POST', '/users', { username: 'marc', name: 'Marc Dubois', role: 'attendant', password: 'marc-secret-1' }, token);
  // Marc's console (a second one on the same switchboard) logs in with an extension; no phone
  // of his is registered.
  remote = await startConsole({ args: ['--server', sb.url, '--fingerprint', sb.fingerprint] });
  const marcPage = await openConsole(browser, remote.url, 'en-US');
  await marcPage.locator('#login-username').fill('marc');
  await marcPage.locator('#login-password').fill('marc-secret-1');
  await marcPage.locator('#login-extension').fill('202');
  await marcPage.locator('#login-password').press('Enter');
  await marcPage.getByTestId('status-unreachable').waitFor({ timeout: 15000 });

  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);

  const warning = page.getByTestId('status-unreachable');
  await warning.waitFor({ timeout: 15000 });
  assert.equal(await warning.innerText(), 'Your phone is not registered — no calls will be offered');
  const marc = page.locator('footer [data-attendant="marc"]');
  await marc.getByTestId('attendant-unreachable').waitFor({ timeout: 15000 });
  assert.match(await marc.innerText(), /Phone not registered/);
  await screenshot(page, 'admin-status-unreachable');

  // A real softphone registers as me: the switchboard can ring me, the warning goes.
  phones.push(await startBaresip(app.sip, 'admin', ADMIN_PASSWORD));
  await warning.waitFor({ state: 'detached', timeout: 20000 });
  phones.push(await startBaresip(app.sip, 'marc', 'marc-secret-1'));
  await marc.getByTestId('attendant-unreachable').waitFor({ state: 'detached', timeout: 20000 });
  await page.context().close();
});
