// Logs in through the real UI in Chromium, in English and French, and checks
// that the six panels of the manual are on screen with translated titles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConsole, launchBrowser, openConsole, screenshot, root, ADMIN_PASSWORD } from './harness.mjs';

const locale = (lang) => JSON.parse(readFileSync(join(root, 'frontend/src/locales', `${lang}.json`), 'utf8'));
const PANELS = ['queue', 'workspace', 'overview', 'favorites', 'contacts', 'details'];

let app, browser;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

async function login(page, { password = ADMIN_PASSWORD, extension = '201' } = {}) {
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill(password);
  await page.locator('#login-extension').fill(extension);
  await page.locator('#login-password').press('Enter');
}

for (const [lang, browserLocale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
  test(`login and the six panels in ${lang}`, async () => {
    const l = locale(lang);
    const page = await openConsole(browser, app.url, browserLocale);
    // The embedded switchboard needs no address: the field is hidden.
    await page.locator('#login-username').waitFor();
    assert.equal(await page.locator('#login-server').count(), 0, 'server field hidden in embedded mode');
    await page.getByRole('heading', { name: l.login.title }).waitFor();
    await screenshot(page, `login-${lang}`);

    await login(page);
    for (const id of PANELS) {
      const panel = page.locator(`section[data-panel="${id}"]`);
      await panel.waitFor({ timeout: 10000 });
      assert.equal(await panel.getByRole('heading').first().innerText(), l.panel[id], `title of panel ${id} in ${lang}`);
    }
    await page.getByText(l.queue.empty).waitFor();
    await screenshot(page, `main-${lang}`);

    // Log out from the avatar menu (L5): back to the login window.
    await page.getByRole('button', { name: l.header.account.replace('{name}', 'Administrator') }).click();
    await page.getByRole('menuitem', { name: l.header.logout }).click();
    await page.locator('#login-username').waitFor();
    assert.equal(await page.locator('section[data-panel]').count(), 0, 'panels gone after logout');
    await page.context().close();
  });
}

test('a wrong password shows a clear error and stays on the login window', async () => {
  const page = await openConsole(browser, app.url, 'en-US');
  await page.locator('#login-username').waitFor();
  await login(page, { password: 'not-the-password' });
  await page.getByText('invalid username or password').waitFor();
  assert.equal(await page.locator('section[data-panel]').count(), 0);
  await page.context().close();
});

// Last: it leaves the user's saved language behind (English again).
test('the language chosen in Settings applies live, fetching only that catalog', async () => {
  const page = await openConsole(browser, app.url, 'en-US');
  const catalogs = [];
  page.on('request', (r) => {
    const m = r.url().match(/assets\/(fr|nl|de)-[^/]+\.js$/);
    if (m) catalogs.push(m[1]);
  });
  await page.locator('#login-username').waitFor();
  await login(page);
  const queue = page.locator('section[data-panel="queue"]');
  await queue.waitFor();
  assert.deepEqual(catalogs, [], 'only English is loaded at start');
  await page.getByRole('button', { name: locale('en').header.settings }).click();
  for (const lang of ['fr', 'de', 'en']) {
    await page.locator('#settings-language').selectOption(lang);
    await queue.getByRole('heading', { name: locale(lang).panel.queue }).first().waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
  }
  assert.deepEqual(catalogs, ['fr', 'de'], 'each catalog fetched once, when chosen');
  await page.context().close();
});
