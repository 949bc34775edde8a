// Q9 through the real UI: a supervisor signed in without an extension lands on the management
// views, closes the reception queue there, and the attendant's console shows the calm "Night
// service" badge in its queue panel header at once; back to the opening hours, it goes away.
// Then an administrator opens the rules form (screenshots light and dark).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startConsole, launchBrowser, openConsole, screenshot, artifacts, apiCall, adminSession, logIn, until, ADMIN_PASSWORD } from './harness.mjs';

let app, remote, browser;
before(async () => {
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await remote?.stop();
  await app?.stop();
});

async function logout(page) {
  await page.locator('button.avatar').click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.locator('#login-username').waitFor();
}

/** Signs in without an extension (management views). */
const login = (page, username, password) => logIn(page, { username, password, extension: '' });

test('a supervisor closes a queue; the attendant console shows it', { timeout: 120000 }, async () => {
  const { sb, token } = await adminSession(app);
  await apiCall(sb, 'POST', '/users', { username: 'sue', name: 'Sue Visor', role: 'supervisor', password: 'sue-secret-1' }, token);
  await apiCall(sb, 'POST', '/users', { username: 'ann', name: 'Ann Tendant', role: 'attendant', password: 'ann-secret-1' }, token);

  // The attendant, on the console that embeds the switchboard.
  const attendant = await openConsole(browser, app.url, 'en-US');
  await login(attendant, 'ann', 'ann-secret-1');
  const queuePanel = attendant.locator('section[data-panel="queue"]');
  await queuePanel.waitFor({ timeout: 15000 });
  assert.equal(await queuePanel.getByTestId('queue-state').count(), 0, 'an open queue has no badge');

  // The supervisor, on a second console: the management views, with the Queues tab.
  remote = await startConsole({ args: ['--server', sb.url, '--fingerprint', sb.fingerprint] });
  const sup = await openConsole(browser, remote.url, 'en-US');
  await login(sup, 'sue', 'sue-secret-1');
  const management = sup.getByTestId('management');
  await management.waitFor({ timeout: 15000 });
  await management.getByRole('tab', { name: 'Queues' }).click();
  const row = management.locator('tr[data-queue="reception"]');
  await row.waitFor();
  assert.equal(await management.getByRole('button', { name: 'Add queue' }).count(), 0, 'supervisors do not edit queues');
  const mode = row.getByLabel('Mode of Reception');
  assert.equal(await mode.inputValue(), 'auto');
  await mode.selectOption('closed');

  const badge = queuePanel.getByTestId('queue-state');
  await badge.waitFor({ timeout: 10000 });
  assert.match(await badge.innerText(), /Night service/);
  await queuePanel.locator('header').screenshot({ path: join(artifacts, 'queue-state-badge-light.png') });
  await attendant.emulateMedia({ colorScheme: 'dark' });
  await attendant.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await queuePanel.locator('header').screenshot({ path: join(artifacts, 'queue-state-badge-dark.png') });
  await screenshot(sup, 'queue-mode-supervisor');

  // The mode is stored: the switchboard says so to anyone who asks.
  const reception = (await apiCall(sb, 'GET', '/queues', null, token)).find((q) => q.id === 'reception');
  assert.equal(reception.mode, 'closed');
  assert.equal(reception.state, 'closed');

  await mode.selectOption('auto');
  await badge.waitFor({ state: 'detached', timeout: 10000 });
  await logout(attendant);
  await sup.context().close();
  await attendant.context().close();
});

test('an administrator edits the rules in the queue form', { timeout: 60000 }, async () => {
  const page = await openConsole(browser, app.url, 'en-US');
  await login(page, 'admin', ADMIN_PASSWORD);
  const management = page.getByTestId('management');
  await management.waitFor({ timeout: 15000 });
  await management.getByRole('tab', { name: 'Queues' }).click();
  await management.getByRole('button', { name: 'Edit queue Reception' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit queue Reception' });
  await dialog.getByTestId('use-hours').check();
  await dialog.getByLabel('Time zone').fill('Europe/Brussels');
  await dialog.getByLabel('Saturday').fill('09:00–12:00');
  await dialog.getByLabel('When closed').selectOption('forward');
  await dialog.getByLabel('Night-service number').fill('0612345678');
  await dialog.getByLabel('Seconds of waiting').fill('120');
  await dialog.getByLabel('Overflow number').fill('2100');
  await dialog.getByLabel('Emergency number').fill('0800112112');
  await dialog.getByLabel('Target (%)').fill('90'); // Q10: this queue's own service-level goal
  await dialog.getByLabel('Within (seconds)').fill('30');
  for (const theme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: theme });
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    await dialog.screenshot({ path: join(artifacts, `queue-rules-form-${theme}.png`) });
  }
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const { sb, token } = await adminSession(app);
  const list = await apiCall(sb, 'GET', '/admin/queues', null, token);
  const rules = list.queues.find((q) => q.id === 'reception').rules;
  assert.deepEqual(rules.hours.days.sat, [{ from: '09:00', to: '12:00' }]);
  assert.equal(rules.whenClosed, 'forward');
  assert.equal(rules.closedTarget, '0612345678');
  assert.equal(rules.overflowAfter, 120);
  assert.equal(rules.emergencyTarget, '0800112112');
  assert.equal(list.restartRequired, false, 'rules apply without a restart');
  assert.equal(rules.serviceLevelTarget, 90);
  assert.equal(rules.serviceLevelSeconds, 30);
  // The live statistics measure the queue against its own goal at once.
  const goal = async () => (await apiCall(sb, 'GET', '/stats', null, token)).queues.find((q) => q.id === 'reception');
  await until(async () => {
    const q = await goal();
    return q.serviceLevelTarget === 90 && q.serviceLevelSeconds === 30;
  }, () => 'the statistics never took the queue\'s goal', 10000);
  // Emergency is now possible from the same tab.
  await management.locator('tr[data-queue="reception"]').getByLabel('Mode of Reception').selectOption('emergency');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('management').screenshot({ path: join(artifacts, 'queue-mode-admin.png') });
  const state = async () => (await apiCall(sb, 'GET', '/queues', null, token)).find((q) => q.id === 'reception').state;
  await until(async () => (await state()) === 'emergency', () => 'reception never went into emergency', 10000);
  await page.context().close();
});
