// Takes the README's screenshot: the console with demo callers waiting and a
// contact open. Run it by hand after a visible change:
//   node test/e2e/readme-screenshot.mjs   (writes build/linux/screenshot.png)
import { join } from 'node:path';
import { startConsole, launchBrowser, openConsole, root, apiCall, logIn, adminSession } from './harness.mjs';

// The built-in softphone rings with the first offer, so the workspace shows it.
const app = await startConsole({ args: ['--demo', '4', '--softphone=true'] });
const browser = await launchBrowser();
try {
  const { sb, token } = await adminSession(app);
  for (const c of [
    { displayName: 'Hélène Dubois', department: 'Ventes', jobTitle: 'Head of sales', phones: [{ type: 'work', number: '+33 1 42 00 00 01' }, { type: 'extension', number: '2001' }], emails: ['helene.dubois@example.com'], location: 'Paris, 3rd floor' },
    { displayName: 'David Martin', department: 'Ventes', jobTitle: 'Account manager', phones: [{ type: 'extension', number: '2002' }] },
    { displayName: 'Dave Peters', department: 'Ventes', jobTitle: 'Sales assistant', phones: [{ type: 'extension', number: '2003' }] },
  ]) await apiCall(sb, 'POST', '/contacts', { ...c, visibility: 'public' }, token);
  const page = await openConsole(browser, app.url, 'en-US');
  await logIn(page);
  await page.locator('section[data-panel="queue"] tr[data-call-id]').nth(2).waitFor({ timeout: 30000 });
  await page.locator('#contacts-search').fill('dav ventes');
  await page.locator('li[data-contact-id]').first().click();
  await page.locator('section[data-panel="details"] article[data-contact-id]').waitFor();
  await page.screenshot({ path: join(root, 'build/linux/screenshot.png') });
} finally {
  await browser.close();
  await app.stop();
}
