// Management views through the real UI (L2, A2, A4): an administrator signed in without an
// extension lands on them; creates a user and a queue, is told a duplicate queue number is
// refused (the switchboard's message, next to the field), sees that queue changes wait for a
// restart, and deletes the user. The switchboard has the last word: the new user logs in
// through the API, is refused the management API, does not see the views; after the delete
// they cannot log in; after a restart the queue is still there and running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole, launchBrowser, openConsole, screenshot, switchboardOf, apiRequest as api, logIn, ADMIN_PASSWORD } from './harness.mjs';

const data = mkdtempSync(join(tmpdir(), 'concierge-admin-'));
let app, remote, browser;
before(async () => {
  app = await startConsole({ data, keepData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await remote?.stop();
  await app?.stop();
  rmSync(data, { recursive: true, force: true });
});

/** Signs in without an extension (management views). */
const login = (page, username, password) => logIn(page, { username, password, extension: '' });

async function avatarMenu(page, name) {
  await page.getByRole('button', { name: `Account menu for ${name}` }).click();
  return page.getByRole('menu');
}

test('an administrator manages users and queues', { timeout: 120000 }, async () => {
  const sb = switchboardOf(app);
  const page = await openConsole(browser, app.url, 'en-US');
  await login(page, 'admin', ADMIN_PASSWORD);

  // ---- no extension: the management views open, not the panels (L2) ----------------------
  const management = page.getByTestId('management');
  await management.getByRole('heading', { name: 'Management' }).waitFor({ timeout: 15000 });
  assert.equal(await page.locator('section[data-panel]').count(), 0, 'no telephony panels');
  const users = management.getByRole('table', { name: 'Users' });
  await users.locator('tr[data-user="admin"]').waitFor();

  // ---- add a user (A2) -------------------------------------------------------------------
  await management.getByRole('button', { name: 'Add user' }).click();
  let dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Username', { exact: true }).fill('claire');
  await dialog.getByLabel('Name', { exact: true }).fill('Claire Martin');
  await dialog.getByLabel('Password', { exact: true }).fill('short');
  await dialog.getByLabel('Extension', { exact: true }).fill('204');
  await dialog.getByLabel(/Reception/).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  // The switchboard's password policy, next to the password field; nothing saved.
  await dialog.getByText('password must have at least 8 characters').waitFor();
  assert.equal(await dialog.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
  await dialog.getByLabel('Password', { exact: true }).fill('claire-secret-1');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const claire = users.locator('tr[data-user="claire"]');
  await claire.waitFor();
  assert.match(await claire.innerText(), /claire\s+Claire Martin\s+Attendant\s+204\s+Reception/);
  await screenshot(page, 'admin-users');

  // The switchboard has her: she logs in, and is refused the management API.
  const { status, body: session } = await api(sb, 'POST', '/session', { username: 'claire', password: 'claire-secret-1' });
  assert.equal(status, 200);
  assert.equal(session.user.role, 'attendant');
  assert.deepEqual(session.user.queues, ['reception']);
  assert.equal((await api(sb, 'GET', '/admin/queues', null, session.token)).status, 403);
  assert.equal((await api(sb, 'POST', '/users', { username: 'x', role: 'admin', password: 'xxxxxxxx' }, session.token)).status, 403);

  // ---- add a queue; a duplicate number is refused with the server's reason (A4) -----------
  await management.getByRole('tab', { name: 'Queues' }).click();
  const queues = management.getByRole('table', { name: 'Queues' });
  await queues.locator('tr[data-queue="reception"]').waitFor();
  assert.equal(await page.getByTestId('restart-notice').count(), 0, 'nothing to restart yet');
  await management.getByRole('button', { name: 'Add queue' }).click();
  dialog = page.getByRole('dialog', { name: 'New queue' });
  await dialog.getByLabel('ID', { exact: true }).fill('sales');
  await dialog.getByLabel('Name', { exact: true }).fill('Sales');
  await dialog.getByLabel('Numbers', { exact: true }).fill('200, +33142000200');
  await dialog.getByLabel('Priority', { exact: true }).fill('5');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const sales = queues.locator('tr[data-queue="sales"]');
  await sales.waitFor();
  assert.match(await sales.innerText(), /sales\s+Sales\s+200, \+33142000200\s+5/);
  const notice = page.getByTestId('restart-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /Queue changes take effect after the switchboard restarts/);

  await management.getByRole('button', { name: 'Add queue' }).click();
  await dialog.getByLabel('ID', { exact: true }).fill('support');
  await dialog.getByLabel('Name', { exact: true }).fill('Support');
  await dialog.getByLabel('Numbers', { exact: true }).fill('300 200');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const error = dialog.getByText('number 200 is already routed to queue sales');
  await error.waitFor();
  assert.equal(await dialog.getByLabel('Numbers', { exact: true }).getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'admin-queue-error');
  await dialog.getByRole('button', { name: 'Cancel' }).first().click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await queues.locator('tr[data-queue="support"]').count(), 0, 'the refused queue is not listed');
  await screenshot(page, 'admin-queues');

  // ---- a non-administrator never sees the views ------------------------------------------
  // (A second console on the same switchboard: one session per console.)
  remote = await startConsole({ args: ['--server', sb.url, '--fingerprint', sb.fingerprint] });
  const other = await openConsole(browser, remote.url, 'en-US');
  await login(other, 'claire', 'claire-secret-1');
  await other.locator('section[data-panel="queue"]').waitFor({ timeout: 15000 });
  assert.equal(await other.getByTestId('management').count(), 0);
  const menu = await avatarMenu(other, 'Claire Martin');
  await menu.getByRole('menuitem', { name: 'Log out' }).waitFor();
  assert.equal(await menu.getByTestId('menu-management').count(), 0, 'no Management item for an attendant');
  await other.context().close();
  await remote.stop();
  remote = undefined;

  // ---- delete the user, after a confirmation ---------------------------------------------
  await management.getByRole('tab', { name: 'Users' }).click();
  await users.getByRole('button', { name: 'Delete Claire Martin' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete this user?' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await claire.waitFor({ state: 'detached' });
  assert.equal((await api(sb, 'POST', '/session', { username: 'claire', password: 'claire-secret-1' })).status, 401);

  // ---- the avatar menu switches to the panels and back -----------------------------------
  await (await avatarMenu(page, 'Administrator')).getByRole('menuitem', { name: 'Back to the console' }).click();
  await page.locator('section[data-panel="queue"]').waitFor();
  await (await avatarMenu(page, 'Administrator')).getByRole('menuitem', { name: 'Management' }).click();
  await management.waitFor();
  await page.context().close();
});

test('after a restart the queue is stored and running', { timeout: 60000 }, async () => {
  await app.stop();
  app = await startConsole({ data, keepData: true });
  const sb = switchboardOf(app);
  const { body: admin } = await api(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  const { body: list } = await api(sb, 'GET', '/admin/queues', null, admin.token);
  assert.deepEqual(list.queues.map((q) => q.id).sort(), ['reception', 'sales']);
  assert.equal(list.restartRequired, false, 'the switchboard runs the stored queues');

  const page = await openConsole(browser, app.url, 'fr-FR');
  await login(page, 'admin', ADMIN_PASSWORD);
  const management = page.getByTestId('management');
  await management.getByRole('tab', { name: "Files d'attente" }).click();
  await management.locator('tr[data-queue="sales"]').waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId('restart-notice').count(), 0);
  await screenshot(page, 'admin-queues-fr');
  await page.context().close();
});
