// The directory through the real UI (manual §7 and §8): add a contact with the form, find it
// by accent-less multi-fragment search and by its number typed in another format, edit it,
// put its number in the active number field, see its details, delete it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, launchBrowser, openConsole, screenshot, logIn } from './harness.mjs';

let app, browser;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const NUMBER = '+33 1 42 00 00 01';

test('add, find, edit, use and delete a contact', { timeout: 90000 }, async () => {
  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);

  const contacts = page.locator('section[data-panel="contacts"]');
  const details = page.locator('section[data-panel="details"]');
  const search = page.locator('#contacts-search');
  await contacts.waitFor({ timeout: 10000 });
  const rowOf = (text) => contacts.locator('li[data-contact-id]', { hasText: text });
  const helene = rowOf('Hélène Dubois');

  /** Types a query from an empty field, so no row from an earlier search can answer for it. */
  async function searchFor(query) {
    await search.fill('');
    await contacts.locator('li[data-contact-id]').first().waitFor({ state: 'detached' });
    await search.pressSequentially(query, { delay: 15 }); // one search per keystroke
  }

  // ---- add (C6, C7) ----------------------------------------------------------------------
  await contacts.getByRole('button', { name: 'Add contact' }).click();
  const addForm = page.getByRole('dialog', { name: 'Add contact' });
  await addForm.waitFor();
  assert.equal(await addForm.getByLabel('Visible to everyone').isChecked(), true, 'public by default (C7)');
  // A name is required: the form says so without calling the server.
  await addForm.getByRole('button', { name: 'Save' }).click();
  await addForm.getByText('Enter a first name, a last name or a display name.').waitFor();

  await addForm.getByLabel('First name', { exact: true }).fill('Hélène');
  await addForm.getByLabel('Last name', { exact: true }).fill('Dubois');
  await addForm.getByLabel('Department', { exact: true }).fill('Ventes');
  await addForm.getByLabel('Job title', { exact: true }).fill('Sales assistant');
  await addForm.getByLabel('Number 1', { exact: true }).fill(NUMBER);
  await addForm.getByLabel('E-mail address 1', { exact: true }).fill('helene.dubois@example.com');
  await addForm.getByRole('button', { name: 'Save' }).click();
  await addForm.waitFor({ state: 'hidden', timeout: 10000 });
  // The new contact is shown in the details at once.
  await details.getByRole('heading', { name: 'Hélène Dubois' }).waitFor();

  // ---- search: accents and case ignored, two fragments (C1, C2) ----------------------------
  await searchFor('helene vent');
  await helene.waitFor({ timeout: 10000 });
  assert.match(await helene.innerText(), /Sales assistant · Ventes/);
  assert.equal(await helene.getByRole('img', { name: 'Presence unknown' }).count(), 1, 'presence dot (C3)');
  await screenshot(page, 'contacts-search');

  // ---- search by number in another format ---------------------------------------------------
  await searchFor('0142000001');
  await helene.waitFor({ timeout: 10000 });

  // ---- clear icon (C4) --------------------------------------------------------------------
  await contacts.getByRole('button', { name: 'Clear search' }).click();
  await helene.waitFor({ state: 'detached' });
  assert.equal(await search.inputValue(), '');

  // ---- edit from the More menu (C8) ---------------------------------------------------------
  await searchFor('dubois');
  await helene.waitFor({ timeout: 10000 });
  await helene.getByRole('button', { name: 'More actions for Hélène Dubois' }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  const editForm = page.getByRole('dialog', { name: 'Edit contact' });
  await editForm.waitFor();
  assert.equal(await editForm.getByLabel('First name', { exact: true }).inputValue(), 'Hélène');
  await editForm.getByLabel('Job title', { exact: true }).fill('Head of sales');
  await editForm.getByRole('button', { name: 'Save' }).click();
  await editForm.waitFor({ state: 'hidden', timeout: 10000 });
  await rowOf('Head of sales · Ventes').waitFor({ timeout: 10000 });

  // ---- keyboard: Esc anywhere comes back to the search, Enter opens the details (D1) -------
  await page.locator('#active-number').focus();
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'contacts-search');
  await search.press('Enter');
  const card = details.locator('article[data-contact-id]');
  await card.getByText('Head of sales').waitFor();
  assert.equal(
    await card.getByRole('link', { name: 'helene.dubois@example.com' }).getAttribute('href'),
    'mailto:helene.dubois@example.com',
  );
  await card.getByText('No calendar connected').waitFor();
  await card.getByText('Visible to everyone').waitFor();
  await screenshot(page, 'contact-details');

  // ---- a number to the active number field (W3) --------------------------------------------
  await page.locator('#active-number').fill('');
  await helene.getByRole('button', { name: `Use ${NUMBER} (Work)` }).click();
  assert.equal(await page.locator('#active-number').inputValue(), NUMBER);

  // ---- delete (C8), after confirmation ----------------------------------------------------
  await helene.getByRole('button', { name: 'More actions for Hélène Dubois' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete contact' });
  await confirm.waitFor();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await helene.waitFor({ state: 'detached', timeout: 10000 });
  await details.getByText('Select a contact').waitFor();

  // Gone for good: a new search does not find her.
  await searchFor('helene');
  await contacts.locator('.empty strong', { hasText: 'No contact matches “helene”' }).waitFor({ timeout: 10000 });
  assert.equal(await helene.count(), 0);
  await page.context().close();
});
