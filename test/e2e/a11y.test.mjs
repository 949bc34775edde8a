// Accessibility of the console (issue: labelled controls, focus visible, WCAG AA contrast, usable
// at 1280×720, light and dark): axe-core audits what a person meets — the login (also refused),
// the main screen with callers waiting and a contact open, then with a call picked up and held,
// the contact form, menus and confirmation, each Settings tab, the keyboard help, the wallboard,
// each management tab and its user form — against the WCAG 2.0/2.1 A and AA rules. At 1280×720
// the main controls of each panel are on screen and not covered or clipped, and Tab through the
// main screen always shows where the focus is. Screenshots: test/artifacts/a11y-*.png.
// A11Y_REVIEW=1 also prints what axe could not decide, for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { consoleFixture, adminSession, apiCall, placeCall, logIn, screenshot, artifacts } from './harness.mjs';

const fx = consoleFixture();
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const THEMES = ['light', 'dark'];

/** Runs axe on the page (or on the elements of include) and returns one line per failing node. */
async function axe(page, where, include) {
  let builder = new AxeBuilder({ page }).withTags(WCAG);
  if (include) builder = builder.include(include);
  const { violations, incomplete, passes } = await builder.analyze();
  // A11Y_REVIEW=1: also what axe could not decide (e.g. text over a gradient), for a person to check.
  if (process.env.A11Y_REVIEW) {
    console.log(`${where}: ${passes.length} rules pass`);
    for (const v of incomplete) for (const n of v.nodes) console.log(`review ${where}: ${v.id} at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, ' | ')}`);
  }
  return violations.flatMap((v) => v.nodes.map((n) => `${where}: ${v.id} (${v.impact}) ${v.help}\n    at ${n.target.join(' ')}\n    ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, ' | ')}`));
}

/** Switches the system colour scheme; the console follows it (theme "system", the default). */
async function useTheme(page, theme) {
  await page.emulateMedia({ colorScheme: theme });
  await page.waitForFunction((th) => document.documentElement.dataset.theme === th, theme);
  await settle(page);
}

/** Waits until nothing loads (aria-busy) and every colour transition has ended: what axe reads is what one sees. */
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await Promise.all(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished.catch(() => {})));
  });
}

/**
 * Runs in the page: no panel overflows the window; each selector's element is visible, inside the
 * viewport, and is what a pointer at either end hits (not covered, not clipped by a scrolling box).
 */
function cutOff(selectors) {
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;
  const problems = [];
  if (document.documentElement.scrollWidth > vw + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
  for (const s of document.querySelectorAll('section[data-panel]')) {
    const r = s.getBoundingClientRect();
    if (r.right > vw + 1 || r.bottom > vh + 1 || r.width < 200) problems.push(`panel ${s.dataset.panel} does not fit: ${JSON.stringify(r)}`);
  }
  for (const [what, selector] of Object.entries(selectors)) {
    const el = document.querySelector(selector);
    if (!el) {
      problems.push(`${what}: not found (${selector})`);
      continue;
    }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) problems.push(`${what}: not shown`);
    else if (r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5) problems.push(`${what}: outside the ${vw}×${vh} window: ${JSON.stringify(r)}`);
    else {
      // Both ends of the control, not only its centre: half a button is cut off too.
      for (const [x, y] of [[r.left + 2, r.top + r.height / 2], [r.right - 2, r.top + r.height / 2]]) {
        const hit = document.elementFromPoint(x, y);
        if (!hit || (hit !== el && !el.contains(hit))) {
          problems.push(`${what}: at (${Math.round(x)}, ${Math.round(y)}) one sees ${hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing'}`);
          break;
        }
      }
    }
  }
  return problems;
}

/** Runs in the page: whether the focused element shows where the focus is. */
function focusShown() {
  const el = document.activeElement;
  if (!el || el === document.body) return { what: 'body', shown: true };
  const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).replace(/\s+/g, '.')} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`;
  // A see-through radio inside a label (segmented control): the label shows the focus.
  const shows = Number(getComputedStyle(el).opacity) === 0 && el.closest('label') ? el.closest('label') : el;
  const cs = getComputedStyle(shows);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1;
  const ring = cs.boxShadow !== 'none';
  return { what, shown: el.matches(':focus-visible') && (outline || ring) };
}

test('every screen passes axe (WCAG 2.1 A/AA) at 1280×720, light and dark; main controls on screen; focus visible', { timeout: 420000 }, async () => {
  const { sb, token } = await adminSession(fx.app);
  for (const [firstName, lastName, department, number, ext] of [
    ['Hélène', 'Dubois', 'Ventes', '+33 1 42 00 00 01', '2201'],
    ['Marc', 'Dubois', 'Informatique', '+33 1 42 00 00 02', '2202'],
  ]) {
    await apiCall(sb, 'POST', '/contacts', {
      firstName, lastName, department, visibility: 'public', emails: [`${firstName.toLowerCase()}.dubois@example.com`],
      phones: [{ type: 'work', number }, { type: 'extension', number: ext }],
    }, token);
  }

  const context = await fx.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const violations = [];
  const problems = [];

  // ---- the login screen -------------------------------------------------------------------
  await page.goto(fx.app.url);
  await page.locator('#login-username').waitFor();
  for (const theme of THEMES) {
    await useTheme(page, theme);
    await screenshot(page, `a11y-login-${theme}`);
    violations.push(...await axe(page, `${theme} login`));
  }
  // With what it can add: the ring-on choice, the "remember me" hint, a refused password.
  await page.locator('#login-username').fill('admin');
  await page.locator('#login-password').fill('not-the-password');
  await page.locator('#login-extension').fill('201');
  await page.locator('#login-remember').check();
  await page.locator('#login-password').press('Enter');
  await page.locator('#login-error').waitFor();
  for (const theme of THEMES) {
    await useTheme(page, theme);
    await screenshot(page, `a11y-login-error-${theme}`);
    violations.push(...await axe(page, `${theme} login (refused)`));
    problems.push(...(await page.evaluate(cutOff, { 'login: Sign in': 'button.submit' })).map((p) => `${theme} login: ${p}`));
  }
  await page.locator('#login-remember').uncheck();
  await useTheme(page, 'light');

  // ---- the main screen: two callers waiting (Busy: nobody is offered them), a contact open --
  await logIn(page);
  const panel = (id) => page.locator(`section[data-panel="${id}"]`);
  await panel('workspace').waitFor();
  await page.keyboard.press('Alt+A');
  await page.locator('.avatar-menu .presence.dot.busy').waitFor();
  for (const [i, caller] of ['0612345678', '0472001122'].entries()) {
    fx.track(await placeCall(fx.app.sip, { caller, durationMs: 280000 }));
    await panel('queue').locator('tr[data-call-id]').nth(i).waitFor({ timeout: 20000 });
  }
  await page.locator('#contacts-search').pressSequentially('dubois', { delay: 20 });
  const rows = panel('contacts').locator('li[data-contact-id]');
  await rows.nth(1).waitFor({ timeout: 10000 });
  await rows.nth(0).getByRole('button', { name: /^Favorite:/ }).click();
  await panel('favorites').locator('li[data-favorite-id]').first().waitFor({ timeout: 10000 });
  await rows.nth(0).locator('button.open').click();
  await panel('details').locator('article[data-contact-id]').waitFor();
  await page.locator('#active-number').fill('2202');

  const controls = {
    'queue: Pick up': 'section[data-panel="queue"] tr[data-call-id] button.pickup',
    'queue: priority': 'section[data-panel="queue"] tr[data-call-id] button.reserve',
    'workspace: number': '#active-number',
    'workspace: Call': 'section[data-panel="workspace"] button[type="submit"]',
    'contacts: search': '#contacts-search',
    'contacts: first row': 'section[data-panel="contacts"] li[data-contact-id] button.open',
    'favorites: first': 'section[data-panel="favorites"] li[data-favorite-id]',
    'details: first number': 'section[data-panel="details"] article[data-contact-id] button.num',
    'header: avatar menu': 'button.avatar',
  };
  problems.push(...(await page.evaluate(cutOff, controls)).map((p) => `main screen: ${p}`));

  // Tab through the main screen: every stop shows the focus.
  await page.locator('#contacts-search').focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const stops = new Set();
  for (let i = 0; i < 60; i++) {
    const { what, shown } = await page.evaluate(focusShown);
    stops.add(what);
    if (!shown) problems.push(`focus not visible on ${what}`);
    await page.keyboard.press('Tab');
  }
  assert.ok(stops.size > 10, `Tab reached only ${[...stops].join(', ')}`);
  await page.locator('#contacts-search').focus(); // a visible focus ring in the shots

  for (const theme of THEMES) {
    await useTheme(page, theme);
    await screenshot(page, `a11y-main-${theme}`);
    violations.push(...await axe(page, `${theme} main screen`));

    // The avatar menu, open.
    await page.locator('button.avatar').click();
    await page.getByRole('menu').waitFor();
    violations.push(...await axe(page, `${theme} avatar menu`, '.avatar-menu'));
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });

    // The contact form (Add contact).
    await panel('contacts').getByRole('button', { name: 'Add contact' }).click();
    const form = page.getByRole('dialog', { name: 'Add contact' });
    await form.waitFor();
    await screenshot(page, `a11y-contact-form-${theme}`);
    violations.push(...await axe(page, `${theme} contact form`, 'dialog[open]'));
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'hidden' });

    // A contact's More menu, and the confirmation its Delete asks for (cancelled).
    await rows.nth(1).getByRole('button', { name: /^More actions for/ }).click();
    const more = page.getByRole('menu');
    await more.waitFor();
    violations.push(...await axe(page, `${theme} contact menu`, '[role="menu"]'));
    await more.getByRole('menuitem', { name: /Delete/ }).click();
    const confirm = page.locator('dialog[open]');
    await confirm.waitFor();
    await screenshot(page, `a11y-confirm-${theme}`);
    violations.push(...await axe(page, `${theme} delete confirmation`, 'dialog[open]'));
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await rows.nth(1).waitFor();

    // The keyboard help (F1).
    await page.keyboard.press('F1');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await screenshot(page, `a11y-help-${theme}`);
    violations.push(...await axe(page, `${theme} keyboard help`, 'dialog[open]'));
    problems.push(...(await page.evaluate(cutOff, {})).map((p) => `${theme} keyboard help: ${p}`));
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    // Settings, each tab.
    await page.keyboard.press('Control+Comma');
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.waitFor();
    const tabs = await settings.getByRole('tab').evaluateAll((els) => els.map((e) => e.id.replace('settings-tab-', '')));
    assert.ok(tabs.length >= 7, `an administrator has every Settings tab: ${tabs}`);
    for (const id of tabs) {
      await settings.locator(`#settings-tab-${id}`).click();
      await settings.locator(`#settings-panel-${id}`).waitFor();
      await settle(page); // what a tab loads (devices) is in
      await screenshot(page, `a11y-settings-${id}-${theme}`);
      violations.push(...await axe(page, `${theme} settings ${id}`, 'dialog[open]'));
      if (id === 'general') {
        // Tab onto the theme: the checked segment (accent-filled) shows the focus too.
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'theme');
        const { what, shown } = await page.evaluate(focusShown);
        if (!shown) problems.push(`${theme} settings: focus not visible on ${what}`);
        await settings.locator('.segmented').screenshot({ path: `${artifacts}/a11y-settings-theme-focus-${theme}.png` });
      }
    }
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'hidden' });

    // The wallboard, from the avatar menu.
    await page.locator('button.avatar').click();
    await page.getByTestId('menu-wallboard').click();
    const board = page.getByRole('dialog', { name: 'Wallboard' });
    await board.getByRole('article', { name: 'Reception' }).getByTestId('wb-waiting').filter({ hasText: /^2$/ }).waitFor({ timeout: 15000 });
    await screenshot(page, `a11y-wallboard-${theme}`);
    violations.push(...await axe(page, `${theme} wallboard`, '[data-testid="wallboard"]'));
    problems.push(...(await page.evaluate(cutOff, { 'wallboard: Reception': '[data-testid="wallboard"] article' })).map((p) => `${theme} wallboard: ${p}`));
    await page.keyboard.press('Escape');
    await board.waitFor({ state: 'detached' });

    // The management views (administrator), each tab.
    await page.locator('button.avatar').click();
    await page.getByTestId('menu-management').click();
    const management = page.getByTestId('management');
    await management.waitFor();
    for (const [name, ready] of [['Users', 'table'], ['Queues', 'table'], ['Reports', '[data-testid="reports"]']]) {
      await management.getByRole('tab', { name }).click();
      await management.locator(ready).first().waitFor({ timeout: 10000 });
      await settle(page);
      await screenshot(page, `a11y-management-${name.toLowerCase()}-${theme}`);
      violations.push(...await axe(page, `${theme} management ${name}`));
    }
    await management.getByRole('tab', { name: 'Users' }).click();
    await management.getByRole('button', { name: 'Add user' }).click();
    const userForm = page.getByRole('dialog', { name: 'New user' });
    await userForm.waitFor();
    await screenshot(page, `a11y-management-add-user-${theme}`);
    violations.push(...await axe(page, `${theme} management Add user`, 'dialog[open]'));
    await page.keyboard.press('Escape');
    await userForm.waitFor({ state: 'hidden' });
    await page.locator('button.avatar').click();
    await page.getByTestId('menu-management').click();
    await panel('workspace').waitFor();
    await page.locator('#contacts-search').focus();
  }

  // ---- a call picked up (F2): the active line and its controls, the other caller still waiting --
  await page.keyboard.press('F2');
  await panel('workspace').locator('li[data-state="active"]').waitFor({ timeout: 20000 });
  await panel('queue').locator('tr[data-call-id]').first().waitFor();
  problems.push(...(await page.evaluate(cutOff, {
    'queue: Pick up': controls['queue: Pick up'],
    'workspace: Hold': 'section[data-panel="workspace"] li[data-state="active"] button.hold',
    'workspace: Hang up': 'section[data-panel="workspace"] li[data-state="active"] button[aria-label^="Hang up"]',
    'workspace: Call': controls['workspace: Call'],
  })).map((p) => `active call: ${p}`));
  for (const theme of THEMES) {
    await useTheme(page, theme);
    await screenshot(page, `a11y-active-call-${theme}`);
    violations.push(...await axe(page, `${theme} main screen, active call`));
  }
  // On hold (F6): the held line is drawn quieter, and must stay readable.
  await page.keyboard.press('F6');
  await panel('workspace').locator('li.held').waitFor({ timeout: 10000 });
  for (const theme of THEMES) {
    await useTheme(page, theme);
    await screenshot(page, `a11y-held-call-${theme}`);
    violations.push(...await axe(page, `${theme} main screen, call on hold`));
  }
  // Hung up (F4) and available again (Alt+A): the caller still waiting is offered, ringing.
  await page.keyboard.press('F4');
  await panel('workspace').locator('li.held').waitFor({ state: 'detached', timeout: 10000 });
  await page.keyboard.press('Alt+A');
  await panel('workspace').locator('li[data-state="ringing"]').waitFor({ timeout: 20000 });
  problems.push(...(await page.evaluate(cutOff, {
    'workspace: Answer': 'section[data-panel="workspace"] li[data-state="ringing"] button[aria-label^="Answer"]',
  })).map((p) => `ringing call: ${p}`));
  for (const theme of THEMES) {
    await useTheme(page, theme);
    await screenshot(page, `a11y-ringing-call-${theme}`);
    violations.push(...await axe(page, `${theme} main screen, call ringing`));
  }
  await context.close();

  assert.deepEqual(violations, [], `axe found ${violations.length} WCAG violation(s):\n${violations.join('\n')}`);
  assert.deepEqual(problems, [], `at 1280×720:\n${problems.join('\n')}`);
});

test('in French and German too, the main controls fit at 1280×720', { timeout: 120000 }, async () => {
  const problems = [];
  for (const locale of ['fr-FR', 'de-DE']) {
    const context = await fx.browser.newContext({ locale, viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(fx.app.url);
    // The console keeps its session: a new window may open straight on the panels.
    await page.locator('#login-username, section[data-panel="workspace"]').first().waitFor();
    if (await page.locator('#login-username').count()) {
      problems.push(...(await page.evaluate(cutOff, { 'login: submit': 'button.submit' })).map((p) => `${locale} login: ${p}`));
      await logIn(page);
    }
    const panel = (id) => page.locator(`section[data-panel="${id}"]`);
    await panel('workspace').waitFor();
    // Busy, so that a caller waits in the queue with the Pick up button.
    const dot = page.locator('.avatar-menu .presence.dot');
    await dot.waitFor();
    if (await dot.evaluate((d) => d.classList.contains('available'))) await page.keyboard.press('Alt+A');
    await page.locator('.avatar-menu .presence.dot.busy').waitFor();
    if (!(await panel('queue').locator('tr[data-call-id]').count())) {
      fx.track(await placeCall(fx.app.sip, { caller: '0612345678', durationMs: 60000 }));
    }
    await panel('queue').locator('tr[data-call-id]').first().waitFor({ timeout: 20000 });
    await page.locator('#active-number').fill('2202');
    problems.push(...(await page.evaluate(cutOff, {
      'queue: Pick up': 'section[data-panel="queue"] tr[data-call-id] button.pickup',
      'queue: priority': 'section[data-panel="queue"] tr[data-call-id] button.reserve',
      'workspace: number': '#active-number',
      'workspace: Call': 'section[data-panel="workspace"] button[type="submit"]',
      'contacts: search': '#contacts-search',
      'contacts: add': 'section[data-panel="contacts"] .btn',
      'header: avatar menu': 'button.avatar',
    })).map((p) => `${locale} main screen: ${p}`));
    await screenshot(page, `a11y-main-${locale}`);
    await page.keyboard.press('Control+Comma');
    await page.locator('dialog[open] [role="tab"]').first().waitFor();
    const tabs = await page.locator('dialog[open] [role="tab"]').evaluateAll((els) => els.map((e) => `#${e.id}`));
    problems.push(...(await page.evaluate(cutOff, Object.fromEntries(tabs.map((id) => [`settings tab ${id}`, `dialog[open] ${id}`])))).map((p) => `${locale} settings: ${p}`));
    await context.close();
  }
  assert.deepEqual(problems, [], `at 1280×720:\n${problems.join('\n')}`);
});
