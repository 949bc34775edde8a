// Long result lists (C10): with 3 000 matching contacts the contacts panel renders only the rows
// in view, asks for more when scrolled to the end, and the keyboard reaches rows far below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startConsole, launchBrowser, openConsole, screenshot, logIn, adminSession } from './harness.mjs';

let app, browser;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a long result list stays small in the page and grows on scroll', { timeout: 90000 }, async () => {
  const { sb, token } = await adminSession(app);
  const rows = ['firstName;lastName;department;extension'];
  for (let i = 0; i < 3000; i++) rows.push(`Agent${String(i).padStart(4, '0')};Martin;Support;${20000 + i}`);
  await new Promise((resolve, reject) => {
    const req = https.request(`${sb.url}/api/v1/contacts/import`, {
      method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${token}` },
    }, (res) => (res.statusCode < 300 ? resolve() : reject(new Error(`import: ${res.statusCode}`))));
    req.on('error', reject);
    req.end(rows.join('\n') + '\n');
  });

  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);
  const contacts = page.locator('section[data-panel="contacts"]');
  const search = page.locator('#contacts-search');
  await search.waitFor();
  await search.pressSequentially('martin', { delay: 10 });
  const badge = contacts.getByTestId('contacts-count');
  await badge.getByText('50+ contacts').waitFor({ timeout: 10000 });
  const rendered = () => contacts.locator('#contacts-results > li').count();
  assert.ok((await rendered()) < 30, `only the rows in view are in the page, not ${await rendered()}`);

  // Scrolled to the end: the next page of the same search comes.
  await contacts.locator('#contacts-results').evaluate((ul) => ul.parentElement.scrollTo(0, ul.parentElement.scrollHeight));
  await badge.getByText('200+ contacts').waitFor({ timeout: 10000 });
  assert.ok((await rendered()) < 30, `still only the rows in view, not ${await rendered()}`);
  await screenshot(page, 'contacts-long-list');

  // The keyboard reaches a row far below: it is rendered, highlighted and in view.
  await search.focus();
  for (let i = 0; i < 8; i++) await search.press('PageDown');
  const active = contacts.locator('#contacts-results > li.active');
  await active.waitFor();
  assert.equal(await active.getAttribute('aria-posinset'), '81');
  const box = await active.boundingBox();
  const view = await contacts.locator('#contacts-results').evaluate((ul) => ul.parentElement.getBoundingClientRect().toJSON());
  assert.ok(box.y >= view.top - 1 && box.y + box.height <= view.bottom + 1, 'the highlighted row is in view');
  await page.context().close();
});
