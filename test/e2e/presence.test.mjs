// Presence in the real UI (C3, D1, D3): contacts' dots follow what the switchboard sees. The
// colleague's phone (baresip, registered at the switchboard as 2002) makes them available. A queue
// call rings the attendant's built-in softphone: the contact of the attendant's own extension
// goes ringing, then busy once answered in the workspace. The attendant blind-transfers the call to a colleague
// (another baresip, registered as 2002): the colleague's contact turns busy while the
// switchboard bridges the call to that number, and the attendant's back to available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleFixture, openConsole, screenshot, placeCall, apiCall, adminSession, logIn } from './harness.mjs';

const fx = consoleFixture();

test('presence dots turn ringing, busy and available with the calls the switchboard holds', { timeout: 120000 }, async () => {
  const { app, browser } = fx;
  const { sb, token } = await adminSession(app);
  for (const [name, ext] of [['Front Desk', '201'], ['Marc Vidal', '2002']]) {
    await apiCall(sb, 'POST', '/contacts', {
      displayName: name, department: 'Accueil', visibility: 'public',
      phones: [{ type: 'mobile', number: '+33 6 00 00 00 00' }, { type: 'extension', number: ext }],
    }, token);
  }
  const colleague = await fx.colleague({ username: '2002', name: 'Marc Vidal', password: 'marc-password' });

  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);
  const contacts = page.locator('section[data-panel="contacts"]');
  await contacts.waitFor({ timeout: 10000 });
  await page.locator('#contacts-search').pressSequentially('accueil', { delay: 15 });
  const dotOf = (name) => contacts.locator('li[data-contact-id]', { hasText: name }).locator('[data-presence]');
  const desk = dotOf('Front Desk');
  const marc = dotOf('Marc Vidal');
  const waitState = async (dot, state, what) => {
    try {
      await dot.and(page.locator(`[data-presence="${state}"]`)).waitFor({ timeout: 20000 });
    } catch (err) {
      throw new Error(`${what}: dot is ${await dot.getAttribute('data-presence')}, want ${state}\n${err.message}`);
    }
  };

  // Logged in with extension 201 and available: the Front Desk contact (extension 201) says so;
  // Marc's phone is registered: available too.
  await waitState(desk, 'available', 'attendant logged in');
  assert.equal(await desk.getAttribute('aria-label'), 'Available');
  await waitState(marc, 'available', 'colleague phone registered');

  // A caller: offered to the attendant, whose phone rings; answered → on a call.
  const call = await placeCall(app.sip, { caller: '0677001199', durationMs: 15000 });
  await waitState(desk, 'ringing', 'queue call offered to the attendant');
  assert.equal(await desk.getAttribute('aria-label'), 'Ringing');
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  await waitState(desk, 'busy', 'attendant on the call');
  assert.equal(await desk.getAttribute('aria-label'), 'On a call');
  await screenshot(page, 'presence-busy');

  // Blind transfer to 2002: the switchboard rings and bridges Marc's number.
  await page.locator('#active-number').fill('2002');
  await workspace.getByRole('button', { name: /^Blind transfer the call with/ }).click({ timeout: 10000 });
  await waitState(marc, 'busy', 'transfer target bridged');
  await waitState(desk, 'available', 'attendant released by the transfer');
  // The details panel shows the same presence (D1).
  await contacts.locator('li[data-contact-id]', { hasText: 'Marc Vidal' }).locator('button.open').click();
  const details = page.locator('section[data-panel="details"]');
  await details.getByRole('heading', { name: 'Marc Vidal' }).waitFor();
  await waitState(details.locator('[data-presence]'), 'busy', 'details of the transfer target');
  await screenshot(page, 'presence-transferred');

  // The caller hangs up (BYE): the switchboard lets go of Marc's line; his phone is idle again.
  const { code, out } = await call.done;
  assert.equal(code, 0, `SIPp call failed:\n${out}`);
  await waitState(marc, 'available', 'call ended');
});
