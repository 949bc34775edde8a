// The contact calendar through the real UI (D2, manual §8) against a real Radicale CalDAV server:
// an administrator connects the calendar in Settings → Calendar (URL template with {user}, service
// account, write-only password), tests it with an address, then opens a contact whose calendar has
// a meeting now: the details panel shows it on the day grid with the "now" line, and in the week,
// and the contact's presence says "In a meeting until …"; the large view shows the same week.
// A contact without e-mail says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startConsole, launchBrowser, openConsole, screenshot, root, adminSession, apiCall, logIn, showPanels } from './harness.mjs';

let app, browser, radicale, cal;

/** Starts the throw-away Radicale of backend/calendar/caltest; resolves with its JSON line. */
function startRadicale(args) {
  const proc = spawn('go', ['run', './backend/calendar/caltest/cmd/caltest-radicale', ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout });
  const info = new Promise((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l)));
    proc.once('exit', (code) => reject(new Error(`caltest-radicale exited (${code})`)));
  });
  return { proc, info };
}

before(async () => {
  radicale = startRadicale(['-busy-now', 'bob.dupont']);
  cal = await radicale.info;
  app = await startConsole();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  radicale?.proc.stdin.end(); // it stops Radicale and removes its files
});

/** Scrolls the details panel (only it) down to the calendar, for the screenshots. */
function showCalendar(calendar) {
  return calendar.evaluate((el) => {
    let p = el.parentElement;
    while (p && !(p.scrollHeight > p.clientHeight && /auto|scroll/.test(getComputedStyle(p).overflowY))) p = p.parentElement;
    if (p && p.id !== 'app') p.scrollTop += el.getBoundingClientRect().top - p.getBoundingClientRect().top - 4;
  });
}

test('connect the calendar, then see a contact busy now, by day and by week', { timeout: 120000 }, async () => {
  const { sb, token } = await adminSession(app);
  await apiCall(sb, 'POST', '/contacts', { displayName: 'Bob Dupont', emails: ['bob.dupont@example.com'], phones: [{ type: 'extension', number: '2301' }], visibility: 'public' }, token);
  await apiCall(sb, 'POST', '/contacts', { displayName: 'Bea Nomail', phones: [{ type: 'extension', number: '2302' }], visibility: 'public' }, token);

  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page, { extension: '' });
  await showPanels(page);

  // Settings → Calendar.
  await page.locator('button.settings-btn').last().click();
  await page.locator('#settings-tab-calendar').click();
  await page.locator('#cal-kind').selectOption('caldav');
  await page.locator('#cal-url').fill(cal.urlTemplate);
  await page.locator('#cal-user').fill(cal.serviceUser);
  await page.locator('#cal-password').fill(cal.servicePassword);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.').waitFor();
  assert.equal(await page.locator('#cal-password').inputValue(), '', 'the password never comes back');
  assert.equal(await page.locator('#cal-password').getAttribute('placeholder'), 'unchanged');
  await page.locator('#cal-test-email').fill('bob.dupont@example.com');
  await page.getByRole('button', { name: 'Test with e-mail' }).click();
  await page.getByTestId('calendar-test').getByText(/Calendar read: \d+ appointments?/).waitFor();
  await page.keyboard.press('Escape');

  // Bob's meeting, on today's grid with the now line.
  await page.locator('#contacts-search').fill('dupont');
  await page.locator('li[data-contact-id]').first().getByText('Bob Dupont').click();
  const calendar = page.locator('section[data-panel="details"] [data-testid="calendar"]');
  const meeting = calendar.locator('[data-testid="calendar-grid"] li', { hasText: 'Board meeting' });
  await meeting.waitFor({ timeout: 20000 });
  assert.match(await meeting.getAttribute('title'), /Board meeting · Busy · Room 1/);
  assert.equal(await calendar.getByTestId('calendar-now').count(), 1);
  // Presence from the calendar (D3): busy in a meeting, until when, with its summary.
  const dot = page.locator('section[data-panel="details"] .presence-dot').first();
  await page.waitForFunction((el) => /until/.test(el.getAttribute('aria-label') ?? ''), await dot.elementHandle(), { timeout: 20000 });
  assert.match(await dot.getAttribute('aria-label'), /^In a meeting until .+: Board meeting$/);
  await showCalendar(calendar);
  await screenshot(page, 'calendar-day');

  await calendar.getByText('Week', { exact: true }).click();
  await calendar.locator('.col').nth(6).waitFor();
  assert.equal(await calendar.locator('.col').count(), 7);
  await calendar.locator('[data-testid="calendar-grid"] li', { hasText: 'Board' }).first().waitFor();
  await calendar.getByRole('button', { name: 'Next week' }).click();
  await calendar.getByTestId('calendar-empty').waitFor();
  assert.equal(await calendar.getByTestId('calendar-now').count(), 0);
  await showCalendar(calendar);
  await screenshot(page, 'calendar-week');

  // The large view (manual §8: the calendar can be expanded): the same week, the contact and
  // their presence in the title; Escape closes it, back to the Expand button.
  await calendar.getByRole('button', { name: 'Today' }).click();
  const expand = calendar.getByRole('button', { name: 'Expand the calendar' });
  await expand.click();
  const dialog = page.getByRole('dialog', { name: 'Calendar — Bob Dupont' });
  await dialog.waitFor();
  assert.match(await dialog.getByText(/^In a meeting until /).innerText(), /: Board meeting$/);
  const big = dialog.getByTestId('calendar-expanded');
  assert.equal(await big.locator('.col').count(), 7);
  const bigMeeting = big.locator('[data-testid="calendar-grid"] li', { hasText: 'Board meeting' }).first();
  await bigMeeting.waitFor();
  assert.match(await bigMeeting.getAttribute('title'), /Board meeting · Busy · Room 1/);
  assert.equal(await big.getByTestId('calendar-now').count(), 1);
  await screenshot(page, 'calendar-expanded');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await expand.evaluate((b) => b === document.activeElement), 'the focus is back on Expand');

  // A contact without e-mail.
  await page.locator('#contacts-search').fill('nomail');
  await page.locator('li[data-contact-id]').first().getByText('Bea Nomail').click();
  await page.getByTestId('calendar-unavailable').getByText('This contact has no e-mail address').waitFor();
});
