// Starts the real desktop window (Wails + WebKitGTK) under Xvfb and saves a
// screenshot of it: the login window must be drawn, not a blank surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { artifacts, startDesktop, startWindow, stopWindow, waitLog, until, within } from './harness.mjs';

function windowListed(xenv) {
  try {
    return execFileSync('xwininfo', ['-root', '-tree'], { env: xenv }).toString().includes('"Concierge"');
  } catch {
    return false;
  }
}

function gdbus(address, ...args) {
  return execFileSync('gdbus', ['call', '--session', ...args], { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address } }).toString();
}

test('the desktop window opens under Xvfb, draws the login window, and quits from its tray menu', { timeout: 90000 }, async () => {
  const desk = await startDesktop();
  // A French desktop (L4): before anyone logs in, the tray speaks the system's language, as
  // the login window does; once logged in it follows the user's (app/tray_test.go).
  const app = startWindow({ ...desk, env: { ...desk.env, LANG: 'fr_FR.UTF-8', LC_ALL: '', LC_MESSAGES: '' } });
  try {
    await until(() => {
      assert.equal(app.proc.exitCode, null, `console exited early:\n${app.logs}`);
      return windowListed(desk.xenv);
    }, () => `no Concierge window within 60 s; logs:\n${app.logs}`, 60000);
    // The front-end's first call to Go (through Wails' IPC) proves it runs;
    // "ready" is the front-end saying it painted its first screen.
    await waitLog(app, /console: front-end loaded/, 'call from the front-end to the Go side');
    await waitLog(app, /console: ready/, 'painted login window');

    // A drawn login window has text, a card and a logo: many colours. A blank
    // or crashed web view has one or two. WebKit may still be flushing its
    // first frame to X, so look again until it shows or the time is up.
    const png = join(artifacts, 'desktop-login.png');
    let colours = 0;
    await until(() => {
      execFileSync('import', ['-window', 'root', png], { env: desk.xenv });
      colours = Number(execFileSync('/usr/bin/convert', [png, '-format', '%k', 'info:']).toString());
      return colours > 64;
    }, () => `screenshot has only ${colours} colours: the window looks blank; logs:\n${app.logs}`, 10000);

    // The tray menu (a StatusNotifierItem with a dbusmenu) offers the
    // availability toggle, disabled before login, and quits the console; in French.
    const dest = ['--dest', `org.kde.StatusNotifierItem-${app.proc.pid}-1`, '--object-path', '/StatusNotifierItem/menu'];
    const layout = gdbus(desk.busAddress, ...dest, '--method', 'com.canonical.dbusmenu.GetLayout', '0', '10', '[]');
    for (const label of ['Disponible', 'Ouvrir Concierge', 'Quitter']) assert.ok(layout.includes(`'${label}'`), `tray menu lacks ${label}: ${layout}`);
    const quitId = layout.match(/\((\d+), \{[^}]*'label': <'Quitter'>/)?.[1];
    assert.ok(quitId, `no id for Quitter in ${layout}`);
    gdbus(desk.busAddress, ...dest, '--method', 'com.canonical.dbusmenu.Event', quitId, 'clicked', '<int32 0>', '0');
    assert.ok(await within(app.exited, 10000), `the console did not quit from its tray menu; logs:\n${app.logs}`);
  } finally {
    // If the test failed before quitting: SIGTERM closes the window too.
    const clean = await stopWindow(app);
    desk.close();
    assert.ok(clean, `the console did not exit within 10 s of SIGTERM; logs:\n${app.logs}`);
  }
});
