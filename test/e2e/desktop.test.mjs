// Starts the real desktop window (Wails + WebKitGTK) under Xvfb and saves a
// screenshot of it: the login window must be drawn, not a blank surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, artifacts, ADMIN_PASSWORD } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startXvfb() {
  return new Promise((resolve, reject) => {
    // -displayfd picks a free display and tells us which: no fixed numbers.
    const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1440x900x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    x.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ proc: x, display: `:${out.trim()}` });
    });
    x.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
}

function windowListed(display) {
  try {
    return execFileSync('xwininfo', ['-root', '-tree'], { env: { ...process.env, DISPLAY: display } }).toString().includes('"Concierge"');
  } catch {
    return false;
  }
}

/** A private session bus: the tray icon lives there, and we can talk to it. */
function startSessionBus() {
  return new Promise((resolve, reject) => {
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    bus.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ proc: bus, address: out.trim() });
    });
    bus.on('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
}

function gdbus(address, ...args) {
  return execFileSync('gdbus', ['call', '--session', ...args], { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address } }).toString();
}

test('the desktop window opens under Xvfb, draws the login window, and quits from its tray menu', { timeout: 90000 }, async () => {
  const xvfb = await startXvfb();
  const bus = await startSessionBus();
  const data = mkdtempSync(join(tmpdir(), 'concierge-desktop-'));
  const env = {
    ...process.env,
    DISPLAY: xvfb.display,
    CONCIERGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // No GPU in CI; root cannot use WebKit's bubblewrap sandbox in a container.
    WEBKIT_DISABLE_COMPOSITING_MODE: '1',
    WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1',
    XDG_RUNTIME_DIR: data,
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    // GTK's accessibility bus would outlive the window and hold our pipes open.
    NO_AT_BRIDGE: '1',
  };
  // A process group of its own, so the whole session (dbus, WebKit helpers) ends with it.
  const app = spawn(binary, ['--sip', '127.0.0.1:0', '--data', data], {
    env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const exited = new Promise((r) => app.on('exit', r));
  let logs = '';
  app.stdout.on('data', (d) => (logs += d));
  app.stderr.on('data', (d) => (logs += d));
  try {
    const deadline = Date.now() + 60000;
    while (!windowListed(xvfb.display)) {
      assert.ok(Date.now() < deadline, `no Concierge window within 60 s; logs:\n${logs}`);
      assert.equal(app.exitCode, null, `console exited early:\n${logs}`);
      await sleep(250);
    }
    // The front-end's first call to Go (through Wails' IPC) proves it runs.
    while (!logs.includes('console: front-end loaded')) {
      assert.ok(Date.now() < deadline, `the front-end never called the Go side; logs:\n${logs}`);
      await sleep(250);
    }
    await sleep(1500); // let WebKit paint

    const png = join(artifacts, 'desktop-login.png');
    execFileSync('import', ['-window', 'root', png], { env: { ...process.env, DISPLAY: xvfb.display } });
    assert.ok(existsSync(png));
    // A drawn login window has text, a card and a logo: many colours. A blank
    // or crashed web view has one or two.
    const colours = Number(execFileSync('/usr/bin/convert', [png, '-format', '%k', 'info:']).toString());
    assert.ok(colours > 64, `screenshot has only ${colours} colours: the window looks blank; logs:\n${logs}`);

    // The tray menu (a StatusNotifierItem with a dbusmenu) offers the
    // availability toggle, disabled before login, and quits the console.
    const dest = ['--dest', `org.kde.StatusNotifierItem-${app.pid}-1`, '--object-path', '/StatusNotifierItem/menu'];
    const layout = gdbus(bus.address, ...dest, '--method', 'com.canonical.dbusmenu.GetLayout', '0', '10', '[]');
    for (const label of ['Available', 'Open Concierge', 'Quit']) assert.ok(layout.includes(`'${label}'`), `tray menu lacks ${label}: ${layout}`);
    const quitId = layout.match(/\((\d+), \{[^}]*'label': <'Quit'>/)?.[1];
    assert.ok(quitId, `no id for Quit in ${layout}`);
    gdbus(bus.address, ...dest, '--method', 'com.canonical.dbusmenu.Event', quitId, 'clicked', '<int32 0>', '0');
    const quitByTray = await Promise.race([exited.then(() => true), sleep(10000).then(() => false)]);
    assert.ok(quitByTray, `the console did not quit from its tray menu; logs:\n${logs}`);
  } finally {
    // If the test failed before quitting: SIGTERM closes the window too.
    try { process.kill(-app.pid, 'SIGTERM'); } catch { /* already gone */ }
    const clean = await Promise.race([exited.then(() => true), sleep(10000).then(() => false)]);
    try { process.kill(-app.pid, 'SIGKILL'); } catch { /* already gone */ }
    xvfb.proc.kill('SIGKILL');
    bus.proc.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
    assert.ok(clean, `the console did not exit within 10 s of SIGTERM; logs:\n${logs}`);
  }
});
