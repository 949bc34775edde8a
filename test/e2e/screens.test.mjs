// The look at 1280×720, light and dark (issue 6): every panel with real data behind it (SIPp
// callers waiting, one call picked up, imported contacts, favorites, details) is saved as a
// screenshot in test/artifacts/, and checked for what a person would notice: a panel cut off
// or overflowing the window, a control without a name, text below WCAG AA contrast.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { join } from 'node:path';
import { startConsole, launchBrowser, placeCall, artifacts, logIn, adminSession } from './harness.mjs';

let app, browser;
const calls = [];
before(async () => {
  app = await startConsole({ args: ['--softphone=true'] });
  browser = await launchBrowser();
});
after(async () => {
  for (const c of calls) c.stop();
  await browser?.close();
  await app?.stop();
});

const CONTACTS = `firstName;lastName;department;jobTitle;phone;extension;email;vip
Hélène;Dubois;Ventes;Responsable commerciale;+33 1 42 00 00 01;201;helene.dubois@example.com;
Marc;Dubois;Informatique;Administrateur réseau;+33 1 42 00 00 02;202;marc.dubois@example.com;
Sophie;Lefèvre;Direction;Directrice générale;+33 1 42 00 00 03;203;sophie.lefevre@example.com;true
Jan;Peeters;Logistique;Magazijnier;+32 2 555 01 04;204;jan.peeters@example.com;
Jürgen;Müller;Einkauf;Einkaufsleiter;+49 30 5550105;205;juergen.mueller@example.com;
Camille;Durand;Comptabilité;Comptable;+33 1 42 00 00 06;206;camille.durand@example.com;
Dave;Martin;Support;Technicien support;+33 1 42 00 00 07;207;dave.martin@example.com;
`;

function importCSV({ url }, token, csv) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/api/v1/contacts/import`, {
      method: 'POST', rejectUnauthorized: false,
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${token}` },
    }, (res) => {
      let d = '';
      res.on('data', (x) => (d += x));
      res.on('end', () => (res.statusCode >= 300 ? reject(new Error(d)) : resolve(JSON.parse(d))));
    });
    req.on('error', reject);
    req.end(csv);
  });
}

/** Runs in the page: what a reviewer would flag. */
function audit(rootSelector) {
  const root = rootSelector ? document.querySelector(rootSelector) : document.body;
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;
  if (document.documentElement.scrollWidth > vw + 1) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px`);
  for (const s of document.querySelectorAll('section[data-panel]')) {
    const r = s.getBoundingClientRect();
    if (r.right > vw + 1 || r.bottom > vh + 1 || r.width < 200) problems.push(`panel ${s.dataset.panel} does not fit: ${JSON.stringify(r)}`);
  }
  // Every control has a name.
  for (const el of root.querySelectorAll('button, input:not([type=hidden]), select, textarea, [role=button], [role=tab]')) {
    if (el.closest('[hidden], [inert]') || el.getClientRects().length === 0) continue;
    const labelled = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title') ||
      (el.labels && el.labels.length > 0) || el.closest('label') || (el.textContent ?? '').trim();
    if (!labelled) problems.push(`unnamed ${el.tagName.toLowerCase()} ${el.className}`);
  }
  // Text contrast (WCAG AA: 4.5, or 3 for large text), over the composited background.
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg && bg.a > 0) {
        layers.push(bg);
        if (bg.a >= 1) break;
      }
    }
    let c = { r: 255, g: 255, b: 255, a: 1 };
    for (const l of layers.reverse()) c = over(l, c);
    return c;
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!el || seen.has(el) || !t.textContent.trim()) continue;
    seen.add(el);
    if (el.closest('[hidden], .visually-hidden, [disabled], [aria-disabled=true], svg') || el.getClientRects().length === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || Number(cs.opacity) < 0.1) continue;
    const fg0 = parse(cs.color);
    if (!fg0) continue;
    const bg = background(el);
    const fg = over(fg0, bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} "${t.textContent.trim().slice(0, 30)}" (${el.tagName.toLowerCase()}.${el.className})`);
  }
  return problems;
}

test('every panel, light and dark, at 1280×720', { timeout: 150000 }, async () => {
  const { sb, token } = await adminSession(app);
  await importCSV(sb, token, CONTACTS);

  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.url);
  await logIn(page);
  const panel = (id) => page.locator(`section[data-panel="${id}"]`);
  await panel('workspace').waitFor();

  // Busy, three callers waiting; the first one picked up (F2).
  await page.keyboard.press('Alt+A');
  await page.locator('.avatar-menu .presence.dot.busy').waitFor();
  // One caller at a time, each in the queue before the next: a fixed order in the shots.
  for (const [i, n] of ['0612345678', '+33 4 72 00 11 22', '0698765432'].entries()) {
    calls.push(await placeCall(app.sip, { caller: n.replace(/\s/g, ''), durationMs: 90000 }));
    await panel('queue').locator('tr[data-call-id]').nth(i).waitFor({ timeout: 20000 });
  }
  await page.keyboard.press('F2');
  await panel('workspace').locator('li[data-state="active"]').waitFor({ timeout: 20000 });
  await page.locator('#active-number').fill('202');

  // Contacts, two favorites, one contact in the details.
  await page.locator('#contacts-search').pressSequentially('dubois', { delay: 20 });
  const rows = panel('contacts').locator('li[data-contact-id]');
  await rows.nth(1).waitFor({ timeout: 10000 });
  for (const i of [0, 1]) {
    await rows.nth(i).getByRole('button', { name: /^Favorite:/ }).click();
  }
  await panel('favorites').locator('li[data-favorite-id]').nth(1).waitFor({ timeout: 10000 });
  await rows.nth(0).locator('button.open').click();
  await panel('details').locator('article[data-contact-id]').waitFor();
  await page.locator('#contacts-search').focus(); // a visible focus ring in the shots

  const problems = {};
  for (const theme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: theme });
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, `screen-${theme}.png`) });
    for (const id of ['queue', 'workspace', 'overview', 'favorites', 'contacts', 'details']) {
      await panel(id).screenshot({ path: join(artifacts, `panel-${id}-${theme}.png`) });
    }
    problems[theme] = await page.evaluate(audit);

    await page.keyboard.press('F1');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await page.screenshot({ path: join(artifacts, `help-${theme}.png`) });
    problems[`${theme} help`] = await page.evaluate(audit, 'dialog[open]');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    await page.keyboard.press('Control+Comma');
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('tab', { name: 'General' }).focus();
    const shortcutsTab = settings.getByRole('tab', { name: 'Shortcuts' });
    for (let i = 0; i < 8 && (await shortcutsTab.getAttribute('aria-selected')) !== 'true'; i++) {
      await page.keyboard.press('ArrowDown'); // tabs: ↓ moves to the next one
    }
    await settings.getByRole('tab', { name: 'Shortcuts', selected: true }).waitFor();
    await page.screenshot({ path: join(artifacts, `settings-shortcuts-${theme}.png`) });
    problems[`${theme} settings`] = await page.evaluate(audit, 'dialog[open]');
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'hidden' });
    await page.locator('#contacts-search').focus();
  }
  await context.close();
  const all = Object.entries(problems).flatMap(([k, v]) => v.map((p) => `${k}: ${p}`));
  assert.deepEqual(all, [], `what looks off:\n${all.join('\n')}`);
});
