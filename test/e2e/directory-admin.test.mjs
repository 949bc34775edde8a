// Directory administration through the real UI (C10, L2): an administrator signed in without an
// extension imports a CSV file with one bad line in Settings → Directory, sees the counts and the
// bad line with its number, finds an imported contact in the search, exports the directory, and
// saves LDAP settings whose password never comes back; "Sync now" against a server that is down
// shows the error and keeps the directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startConsole, launchBrowser, openConsole, screenshot, ADMIN_PASSWORD, showPanels } from './harness.mjs';

let app, browser;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const CSV = [
  'first_name,last_name,department,work_phone,email',
  'Véronique,Lambert,Comptabilité,+33 1 42 00 00 77,veronique.lambert@example.com',
  'Bad,Number,Ventes,call me maybe,bad.number@example.com',
  'Pieter,Janssens,Logistiek,+32 2 555 01 02,pieter.janssens@example.com',
].join('\n');

/** A loopback port nothing listens on: an LDAP server that is down. */
async function closedPort() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

test('import a CSV with a bad line, find the contact, export, LDAP settings', { timeout: 90000 }, async () => {
  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.locator('#login-password').press('Enter'); // no extension: management views (L2)

  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.waitFor();
  await settings.getByRole('tab', { name: 'Directory' }).click();

  // ---- import ------------------------------------------------------------------------------
  await settings.getByLabel('CSV or vCard file').setInputFiles({
    name: 'contacts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CSV, 'utf8'),
  });
  await settings.getByRole('button', { name: 'Import', exact: true }).click();
  const report = settings.getByTestId('import-report');
  await report.waitFor({ timeout: 15000 });
  assert.match(await report.innerText(), /Imported: 2 new, 0 updated, 0 unchanged, 1 skipped/);
  const problems = report.getByRole('list', { name: 'Skipped lines' }).getByRole('listitem');
  assert.equal(await problems.count(), 1);
  assert.match(await problems.first().innerText(), /^Line 3: /, 'the bad line is named by its number');
  await screenshot(page, 'directory-admin-import');

  // ---- export (CSV): the imported contacts are in the file ---------------------------------
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    settings.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'contacts.csv');
  const exported = await new Promise(async (ok, fail) => {
    const chunks = [];
    const stream = await download.createReadStream();
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', fail);
  });
  assert.match(exported, /Véronique/);
  assert.match(exported, /Janssens/);

  // ---- LDAP settings: the password is write-only; a server that is down is reported ----------
  const port = await closedPort();
  await settings.getByLabel('Server URL').fill(`ldap://127.0.0.1:${port}`);
  await settings.getByLabel('Bind DN').fill('cn=concierge,dc=example,dc=com');
  await settings.getByLabel('Password', { exact: true }).fill('bind-secret-42');
  await settings.getByLabel('Base DN').fill('dc=example,dc=com');
  await settings.getByLabel('Sync every').fill('2h');
  await settings.getByRole('button', { name: 'Save', exact: true }).click();
  await settings.getByText('Saved', { exact: true }).waitFor();
  const password = settings.getByLabel('Password', { exact: true });
  assert.equal(await password.inputValue(), '', 'the saved password is not shown');
  assert.match(await password.getAttribute('placeholder'), /leave empty to keep/);
  await settings.getByRole('button', { name: 'Sync now' }).click();
  const status = settings.getByTestId('ldap-status');
  await status.getByText(/failed: .*(refused|Network Error)/).waitFor({ timeout: 20000 });
  assert.match(await status.innerText(), /last good directory stays/);
  await screenshot(page, 'directory-admin-ldap');

  // A bad interval is refused with the server's reason; nothing is lost.
  await settings.getByLabel('Sync every').fill('5s');
  await settings.getByRole('button', { name: 'Save', exact: true }).click();
  await settings.getByText(/interval must be a duration of at least 1m/).waitFor();

  await settings.getByRole('button', { name: 'Close' }).first().click();
  await settings.waitFor({ state: 'hidden' });

  // ---- the imported contact is found in the search (accent-less, two fragments) -------------
  await showPanels(page);
  const contacts = page.locator('section[data-panel="contacts"]');
  await page.locator('#contacts-search').pressSequentially('veronique compta', { delay: 15 });
  const row = contacts.locator('li[data-contact-id]', { hasText: 'Véronique Lambert' });
  await row.waitFor({ timeout: 10000 });
  // The bad line imported nothing.
  await page.locator('#contacts-search').fill('bad.number');
  await contacts.getByRole('strong').filter({ hasText: /No contact matches/ }).waitFor({ timeout: 10000 });
});
