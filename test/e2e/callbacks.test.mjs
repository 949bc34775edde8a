// W15 callback requests across two consoles on one switchboard: the administrator sets the mail
// server in Settings → Mail (a server that refuses connections), answers a SIPp caller, shows
// a directory contact and takes a callback request from the workspace line — the dialog comes
// filled in with the contact and the caller. The request shows in the call overview at once,
// then says the e-mail failed (the switchboard tried). A safe transfer nobody takes comes back
// with "Take a callback request" on the line. A second attendant's console sees requests
// appear live, marks one done, and both consoles see it done.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import {
  consoleFixture, screenshot, placeCall, openWorkspace, openConsole, adminSession, apiCall, startConsole, switchboardOf, logIn,
} from './harness.mjs';

const fx = consoleFixture();
let b;
after(async () => {
  await b?.stop();
});

/** A local port nothing listens on: connecting to it is refused at once. */
async function closedPort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

test('take a callback request for a contact; another console sees it live and marks it done', { timeout: 150000 }, async () => {
  const { app, browser } = fx;
  const { sb, token } = await adminSession(app);
  await apiCall(sb, 'POST', '/contacts', {
    displayName: 'Hélène Dubois', department: 'Sales', emails: ['helene.dubois@example.com'],
    phones: [{ type: 'work', number: '+3225550100' }], visibility: 'public',
  }, token);
  await apiCall(sb, 'POST', '/users', { username: 'bea', name: 'Béatrice Laurent', role: 'attendant', password: 'bea-password' }, token);

  const { page, workspace } = await openWorkspace(browser, app.url);

  // Settings → Mail: a server that refuses connections, so delivery fails visibly.
  await page.locator('button.settings-btn').last().click();
  await page.locator('#settings-tab-mail').click();
  await page.locator('#mail-host').fill('127.0.0.1');
  await page.locator('#mail-security').selectOption('none');
  await page.locator('#mail-port').fill(String(await closedPort()));
  await page.locator('#mail-from').fill('switchboard@example.com');
  await page.locator('#mail-password').fill('smtp-secret');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.').waitFor();
  assert.equal(await page.locator('#mail-password').inputValue(), '', 'the password never comes back');
  assert.equal(await page.locator('#mail-password').getAttribute('placeholder'), 'stored');
  await page.locator('#mail-test-to').fill('me@example.com');
  await page.getByRole('button', { name: 'Send a test e-mail' }).click();
  await page.getByTestId('mail-test').getByText(/^Test failed: /).waitFor({ timeout: 30000 });
  await screenshot(page, 'callbacks-mail-settings');
  await page.keyboard.press('Escape');

  // A caller, answered on the built-in softphone.
  const call = await placeCall(app.sip, { caller: '0677001122', durationMs: 60000 });
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  const line = workspace.locator('li[data-line-id]');
  await line.waitFor({ timeout: 10000 });

  // The person asked for, shown in the details; then the line's callback button.
  await page.locator('#contacts-search').fill('dubois');
  await page.locator('li[data-contact-id]', { hasText: 'Hélène Dubois' }).first().click();
  await page.locator('section[data-panel="details"]').getByText('Hélène Dubois').first().waitFor();
  await line.getByRole('button', { name: /^Take a callback request for the call with/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Callback request' });
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel('Name', { exact: true }).inputValue(), 'Hélène Dubois');
  assert.equal(await dialog.getByLabel('Their number').inputValue(), '+3225550100');
  assert.equal(await dialog.getByLabel('Number to call back').inputValue(), '0677001122');
  await dialog.getByLabel('Message').fill('About the Dupont invoice, before 5 pm');
  await screenshot(page, 'callbacks-dialog');
  await dialog.getByLabel('Message').press('Enter');
  await dialog.waitFor({ state: 'hidden' });

  const overview = page.locator('section[data-panel="overview"]');
  const request = overview.locator('[data-testid="callbacks-open"] li', { hasText: 'For Hélène Dubois' });
  await request.waitFor({ timeout: 10000 });
  assert.match(await request.innerText(), /0677001122/);
  assert.match(await request.innerText(), /About the Dupont invoice/);
  // The switchboard tried the mail server: the request stays open and says why it was not sent.
  await request.getByText(/^E-mail failed: /).waitFor({ timeout: 30000 });
  await screenshot(page, 'callbacks-overview');

  // The caller's number goes to the active number field, to call back.
  await page.locator('#active-number').fill('');
  await request.getByRole('button', { name: /^Put 0677001122/ }).click();
  assert.equal(await page.locator('#active-number').inputValue(), '0677001122');

  // A safe transfer to a number nobody answers comes back: the line offers a callback request
  // for that target right there.
  await page.locator('#active-number').fill('2999');
  await line.getByRole('button', { name: /^Blind transfer the call with/ }).click();
  const failed = workspace.getByTestId('failed-transfer');
  await failed.waitFor({ timeout: 30000 });
  assert.match(await failed.innerText(), /Back from 2999/);
  await screenshot(page, 'callbacks-failed-transfer');
  await failed.getByRole('button', { name: 'Take a callback request' }).click();
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel('Their number').inputValue(), '2999');
  assert.equal(await dialog.getByLabel('Number to call back').inputValue(), '0677001122');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  call.stop();

  // A second attendant's console, on the same switchboard: the request is there.
  const sw = switchboardOf(app);
  b = await startConsole({ args: ['--server', sw.url, '--fingerprint', sw.fingerprint] });
  const pb = await openConsole(browser, b.url, 'en-US');
  await logIn(pb, { username: 'bea', password: 'bea-password', extension: '' });
  const overviewB = pb.locator('section[data-panel="overview"]');
  const requestB = overviewB.locator('[data-testid="callbacks-open"] li', { hasText: 'For Hélène Dubois' });
  await requestB.waitFor({ timeout: 20000 });

  // A second request taken on the first console appears on the second one live.
  await page.locator('#contacts-search').fill('');
  await page.keyboard.press('Alt+C');
  await dialog.waitFor();
  await dialog.getByLabel('Name', { exact: true }).fill('Accounting');
  await dialog.getByLabel('Caller').fill('Jan Peeters');
  await dialog.getByLabel('Number to call back').fill('+32470555666');
  await dialog.getByLabel('Number to call back').press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  const second = overviewB.locator('[data-testid="callbacks-open"] li', { hasText: 'For Accounting' });
  await second.waitFor({ timeout: 10000 });
  assert.match(await second.innerText(), /Not e-mailed/);
  assert.equal(await overviewB.locator('[data-testid="callbacks-badge"] [aria-hidden="true"]').innerText(), '2');
  await screenshot(pb, 'callbacks-second-console');

  // Done on the second console: both see it done.
  await requestB.getByRole('button', { name: /^Mark done:/ }).click();
  await requestB.waitFor({ state: 'detached', timeout: 10000 });
  await request.waitFor({ state: 'detached', timeout: 10000 });
  for (const p of [page, pb]) {
    const ov = p.locator('section[data-panel="overview"]');
    assert.equal(await ov.locator('[data-testid="callbacks-badge"] [aria-hidden="true"]').innerText(), '1');
    await ov.getByRole('button', { name: '1 done recently' }).click();
    await ov.locator('[data-testid="callbacks-done"] li', { hasText: 'For Hélène Dubois' }).getByText(/done by Béatrice Laurent/).waitFor();
  }
  await screenshot(page, 'callbacks-done');
});
