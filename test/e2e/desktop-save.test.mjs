// Exports from the real desktop window (Wails + WebKitGTK, Xvfb + openbox): WebKitGTK ignores
// blob: downloads, so "Download CSV" in Reports must open the desktop's save dialog and write the
// file where the user says. Cancelling the dialog writes nothing. Driven with xdotool, as a user
// would: keyboard for the login form, clicks for the management tabs and the button.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, artifacts, startDesktop, startWindow, stopWindow, waitLog, until } from './harness.mjs';

const CSV_HEADER = 'day,queue_id,queue,offered,answered,abandoned,avg_wait_s,max_wait_s,service_level_pct';

test('Download CSV in the desktop window saves the report through the save dialog; cancel saves nothing', { timeout: 180000 }, async () => {
  const desk = await startDesktop({ screen: '1440x900x24', prefix: 'concierge-save-' });
  const { xenv } = desk;
  const xdo = (...args) => execFileSync('xdotool', args, { env: xenv }).toString().trim();
  const xdoTry = (...args) => {
    try {
      return xdo(...args);
    } catch {
      return ''; // xdotool search exits 1 when nothing matches
    }
  };
  // The save dialog (GTK, transient for the console's window) has no title: find it as the
  // console's other visible window.
  const windows = () => xdoTry('search', '--onlyvisible', '--class', 'concierge').split('\n').filter(Boolean);
  const out = mkdtempSync(join(tmpdir(), 'concierge-saved-'));
  const wm = spawn('openbox', ['--sm-disable'], { env: { ...xenv, HOME: desk.data }, stdio: 'ignore' });
  let app;
  try {
    app = startWindow(desk);
    await waitLog(app, /console: ready/, 'painted login window');
    let main = '';
    await until(() => (main = xdoTry('search', '--onlyvisible', '--name', '^Concierge$').split('\n')[0]), () => 'no Concierge window', 20000);
    const dialog = () => windows().find((w) => w !== main);
    const click = (x, y) => xdo('mousemove', '--window', main, String(x), String(y), 'click', '1');

    // The login form focuses the username field: type, Tab, type, Enter (no extension: management view).
    xdoTry('windowactivate', '--sync', main);
    xdo('windowfocus', '--sync', main);
    xdo('type', '--delay', '20', 'admin');
    xdo('key', 'Tab');
    xdo('type', '--delay', '20', ADMIN_PASSWORD);
    xdo('key', 'Return');
    await waitLog(app, /console: logged in" user=admin extension=""/, 'admin login without extension');

    // Management → Reports, then Download CSV (places in the window at 1438x873 with openbox's
    // frame). The view may still be drawing: click both again until the dialog shows.
    const openDialog = async (what) => {
      let id;
      const deadline = Date.now() + 45000;
      while (!(id = dialog())) {
        assert.ok(Date.now() < deadline, `no save dialog for ${what}; logs:\n${app.logs}`);
        click(358, 70); // Reports tab
        click(333, 129); // Download CSV
        // Give this click its chance before clicking again (a second click could open a second dialog).
        await until(() => dialog(), () => '', 5000).catch(() => {});
      }
      // It may take a moment to map and take the focus.
      await until(() => {
        xdoTry('windowactivate', '--sync', id);
        return xdoTry('getactivewindow') === id;
      }, () => `the save dialog did not take the focus (${what})`, 10000);
      return id;
    };

    // Cancel: Escape closes the dialog, nothing is written, the console goes on.
    await openDialog('cancel');
    xdo('key', 'Escape');
    await until(() => !dialog(), () => 'the save dialog did not close on Escape', 10000);
    assert.deepEqual(readdirSync(out), [], 'cancelling wrote a file');
    assert.doesNotMatch(app.logs, /save dialog|level=ERROR/, 'cancelling logged an error');

    // Save: type a full path into the name field and press Return.
    await openDialog('save');
    const png = join(artifacts, 'desktop-save-dialog.png');
    execFileSync('import', ['-window', 'root', png], { env: xenv });
    const target = join(out, 'report.csv');
    xdo('key', 'ctrl+a');
    xdo('type', '--delay', '10', target);
    xdo('key', 'Return');
    await until(() => existsSync(target) && readFileSync(target, 'utf8').includes('\n'),
      () => `no ${target} (folder holds ${readdirSync(out).join(', ') || 'nothing'}); logs:\n${app.logs}`, 20000);
    assert.ok(readFileSync(target, 'utf8').startsWith(CSV_HEADER + '\n'), `not the report CSV:\n${readFileSync(target, 'utf8')}`);
    await until(() => !dialog(), () => 'the save dialog stayed open after saving', 10000);
    assert.deepEqual(readdirSync(out), ['report.csv']);
  } finally {
    const clean = app ? await stopWindow(app) : true;
    wm.kill('SIGKILL');
    desk.close();
    rmSync(out, { recursive: true, force: true });
    assert.ok(clean, `the console did not exit within 10 s of SIGTERM; logs:\n${app?.logs}`);
  }
});
