// Drag-to-transfer, call history and recent destinations through the real UI, with real calls:
// the attendant answers a SIPp caller, drags the call onto a contact row (W8/C9: a blind
// transfer to the contact's extension, where a colleague's baresip answers); the call history
// then shows the transfer with the destination's name and department (O2), and selecting it puts
// the destination in the active number field (O3). When the same caller calls again, the
// contacts panel suggests and searches where the caller went before (C5); the history filter
// files the transfer under Transferred (O2); answered, a click on her number offers Call, Blind
// and Consulted transfer there (C9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, startBaresip, launchBrowser, openConsole, screenshot, placeCall, apiCall, logIn, adminSession } from './harness.mjs';

let app, browser, colleague;
const calls = [];
before(async () => {
  app = await startConsole({ args: ['--softphone=true'] });
  browser = await launchBrowser();
});
after(async () => {
  for (const c of calls) c.stop();
  await colleague?.stop();
  await browser?.close();
  await app?.stop();
});

const CALLER = '0677001122';

test('drag a call onto a contact, see it in the history, get it suggested next time', { timeout: 150000 }, async () => {
  const { sb, token } = await adminSession(app);
  // The colleague's phone registers as 4711, the extension in her directory entry.
  await apiCall(sb, 'POST', '/users', { username: '4711', name: 'Marie Vidal', role: 'attendant', password: 'marie-password' }, token);
  await apiCall(sb, 'POST', '/contacts', {
    firstName: 'Marie', lastName: 'Vidal', department: 'Comptabilité', visibility: 'public',
    phones: [{ type: 'mobile', number: '+33 6 99 00 00 01' }, { type: 'extension', number: '4711' }],
  }, token);
  colleague = await startBaresip(app.sip, '4711', 'marie-password');

  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);
  const workspace = page.locator('section[data-panel="workspace"]');
  const contacts = page.locator('section[data-panel="contacts"]');
  const overview = page.locator('section[data-panel="overview"]');
  await workspace.waitFor();

  // ---- answer, then drag the active call onto Marie's row (W8, C9) --------------------------
  calls.push(await placeCall(app.sip, { caller: CALLER, durationMs: 60000 }));
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  const line = workspace.locator('li.line[draggable="true"]');
  await line.waitFor({ timeout: 10000 });

  await page.locator('#contacts-search').pressSequentially('vidal compta', { delay: 15 });
  const marie = contacts.locator('li[data-contact-id]', { hasText: 'Marie Vidal' });
  await marie.waitFor({ timeout: 10000 });
  await line.dragTo(marie);
  // The call leaves the workspace; the colleague's phone answers (history records the transfer
  // when the target answers).
  await line.waitFor({ state: 'detached', timeout: 15000 });

  // ---- the history shows it, with the destination's name and department (O2) ---------------
  const history = overview.getByTestId('history');
  const transferred = history.locator('button[data-outcome="transferred"]');
  await transferred.waitFor({ timeout: 20000 });
  const text = await transferred.innerText();
  assert.match(text, /Marie Vidal \(Comptabilité\)/);
  assert.match(text, /Transferred/);
  assert.match(text, /\d{1,2}:\d{2}/, 'the time of the call');
  await screenshot(page, 'history-after-drag');

  // ---- selecting it puts the destination in the active number field (O3) --------------------
  await page.locator('#active-number').fill('');
  await transferred.click();
  assert.equal(await page.locator('#active-number').inputValue(), '4711');

  // ---- the same caller again: recent destinations suggested and searched (C5) ---------------
  await page.locator('#contacts-search').fill('');
  calls.push(await placeCall(app.sip, { caller: CALLER, durationMs: 30000 }));
  const recent = contacts.getByTestId('recent-destinations');
  await recent.waitFor({ timeout: 20000 });
  assert.match(await recent.innerText(), /Marie Vidal/);
  await marie.waitFor({ timeout: 10000 }); // the search ran with her name
  assert.equal(await page.locator('#contacts-search').inputValue(), 'Marie Vidal');
  await screenshot(page, 'recent-destinations');

  // ---- O2 filter: the transfer is under Transferred, not under Missed -------------------------
  await overview.locator('fieldset label', { hasText: 'Missed' }).click();
  await transferred.waitFor({ state: 'detached', timeout: 5000 });
  await overview.locator('fieldset label', { hasText: 'Transferred' }).click();
  await transferred.waitFor({ timeout: 5000 });
  await overview.locator('fieldset label', { hasText: 'All' }).click();

  // ---- C9: with a call in hand, a click on her number offers to transfer it there -----------
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  await line.waitFor({ timeout: 10000 });
  await marie.getByRole('button', { name: 'Use 4711 (Extension)' }).click();
  assert.equal(await page.locator('#active-number').inputValue(), '4711');
  const numberMenu = page.getByRole('menu', { name: 'Call or transfer to 4711' });
  await numberMenu.waitFor({ timeout: 5000 });
  for (const name of ['Call', 'Blind transfer', 'Consulted transfer']) {
    assert.equal(await numberMenu.getByRole('menuitem', { name }).isEnabled(), true, name);
  }
  await page.keyboard.press('Escape');
  await numberMenu.waitFor({ state: 'detached', timeout: 5000 });
  await line.getByRole('button', { name: /^Hang up the call with/ }).click();
  await line.waitFor({ state: 'detached', timeout: 10000 });
});
