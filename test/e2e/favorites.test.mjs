// Favorites through the real UI (manual §6 and §2.1 "Onglets favoris"): star a contact from
// the directory (F3), see it in the Favorites panel (F1), create a tab in the settings (S2),
// add the contact to it with the star menu, switch tabs (F2), remove it with More → Remove from
// favorites (F4): gone from the tab, still in the directory.
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

test('star a contact, add it to a new tab, switch tabs, remove it', { timeout: 90000 }, async () => {
  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);

  const favorites = page.locator('section[data-panel="favorites"]');
  const contacts = page.locator('section[data-panel="contacts"]');
  const details = page.locator('section[data-panel="details"]');
  await contacts.waitFor({ timeout: 10000 });
  await favorites.getByText('No favorites yet').waitFor({ timeout: 10000 });

  // ---- a contact to work with (C6) ----------------------------------------------------------
  await contacts.getByRole('button', { name: 'Add contact' }).click();
  const form = page.getByRole('dialog', { name: 'Add contact' });
  await form.waitFor();
  await form.getByLabel('First name', { exact: true }).fill('Hélène');
  await form.getByLabel('Last name', { exact: true }).fill('Dubois');
  await form.getByLabel('Department', { exact: true }).fill('IT');
  await form.getByLabel('Job title', { exact: true }).fill('Network engineer');
  await form.getByLabel('Number 1', { exact: true }).fill('+33 1 42 00 00 01');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'hidden', timeout: 10000 });
  await details.getByRole('heading', { name: 'Hélène Dubois' }).waitFor();

  await page.locator('#contacts-search').pressSequentially('dubois', { delay: 15 });
  const result = contacts.locator('li[data-contact-id]', { hasText: 'Hélène Dubois' });
  await result.waitFor({ timeout: 10000 });
  const contactId = await result.getAttribute('data-contact-id');

  // ---- star it: one group, so the star toggles directly (F3) --------------------------------
  const star = result.getByRole('button', { name: 'Favorite: Hélène Dubois' });
  assert.equal(await star.getAttribute('aria-pressed'), 'false');
  await star.click();
  const favRow = favorites.locator(`li[data-favorite-id="${contactId}"]`);
  await favRow.waitFor({ timeout: 10000 });
  assert.equal(await star.getAttribute('aria-pressed'), 'true');
  assert.match(await favRow.innerText(), /Network engineer · IT/);
  assert.equal(await favRow.getByRole('img', { name: 'Presence unknown' }).count(), 1);
  // The star in the details agrees.
  assert.equal(
    await details.getByRole('button', { name: 'Favorite: Hélène Dubois' }).getAttribute('aria-pressed'),
    'true',
  );
  // A favorite's number goes to the active number field; its row opens the details.
  await page.locator('#active-number').fill('');
  await favRow.getByRole('button', { name: 'Use +33 1 42 00 00 01 (Work)' }).click();
  assert.equal(await page.locator('#active-number').inputValue(), '+33 1 42 00 00 01');

  // ---- a new favorite tab in the settings (S2) ----------------------------------------------
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.waitFor();
  await settings.getByRole('tab', { name: 'Favorite tabs' }).click();
  // "−" cancels.
  await settings.getByRole('button', { name: 'New' }).click();
  await settings.getByLabel('Tab name').fill('Nope');
  await settings.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await settings.getByLabel('Tab name').count(), 0);
  // Name + save icon creates it.
  await settings.getByRole('button', { name: 'New' }).click();
  await settings.getByLabel('Tab name').fill('IT');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.locator('li[data-group-id]').filter({ has: page.getByText('IT', { exact: true }) }).waitFor();
  assert.equal(await settings.locator('li[data-group-id]').count(), 2);
  await settings.getByRole('button', { name: 'Close' }).click();
  await settings.waitFor({ state: 'hidden' });
  const itTab = favorites.getByRole('tab', { name: 'IT', exact: true });
  await itTab.waitFor();

  // ---- two groups now: the star opens a menu, one checkbox per group --------------------------
  await star.click();
  const menu = page.getByRole('menu', { name: 'Favorite tabs for Hélène Dubois' });
  await menu.waitFor();
  assert.equal(await menu.getByRole('menuitemcheckbox', { name: 'Favorites', exact: true }).getAttribute('aria-checked'), 'true');
  const itItem = menu.getByRole('menuitemcheckbox', { name: 'IT', exact: true });
  assert.equal(await itItem.getAttribute('aria-checked'), 'false');
  await itItem.click();
  assert.equal(await itItem.getAttribute('aria-checked'), 'true');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });

  // ---- switch tabs (F2), with the keyboard --------------------------------------------------
  const defaultTab = favorites.getByRole('tab', { name: 'Favorites', exact: true });
  await defaultTab.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await itTab.getAttribute('aria-selected'), 'true');
  await favRow.waitFor();
  await screenshot(page, 'favorites');

  // ---- remove from the IT tab via More (F4) ---------------------------------------------------
  await favRow.getByRole('button', { name: 'More actions for Hélène Dubois' }).click();
  await page.getByRole('menuitem', { name: 'Remove from favorites' }).click();
  await favRow.waitFor({ state: 'detached', timeout: 10000 });
  await favorites.getByText('No favorites yet').waitFor();
  // Still in the other tab, and still a favorite there.
  await defaultTab.click();
  await favRow.waitFor();

  // ---- it survives a reload: saved on the server ---------------------------------------------
  await page.reload();
  await favorites.waitFor({ timeout: 10000 });
  await favRow.waitFor({ timeout: 10000 });
  await favorites.getByRole('tab', { name: 'IT', exact: true }).click();
  await favorites.getByText('No favorites yet').waitFor();

  // ---- the contact itself is not deleted: the directory still finds it -------------------------
  await page.locator('#contacts-search').fill('');
  await page.locator('#contacts-search').pressSequentially('helene', { delay: 15 });
  await result.waitFor({ timeout: 10000 });
  await page.context().close();
});
