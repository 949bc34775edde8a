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

test('the desktop window opens under Xvfb and draws the login window', { timeout: 90000 }, async () => {
  const xvfb = await startXvfb();
  const data = mkdtempSync(join(tmpdir(), 'concierge-desktop-'));
  const env = {
    ...process.env,
    DISPLAY: xvfb.display,
    CONCIERGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // No GPU in CI; root cannot use WebKit's bubblewrap sandbox in a container.
    WEBKIT_DISABLE_COMPOSITING_MODE: '1',
    WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1',
    XDG_RUNTIME_DIR: data,
    // GTK's accessibility bus would outlive the window and hold our pipes open.
    NO_AT_BRIDGE: '1',
  };
  // A process group of its own, so the whole session (dbus, WebKit helpers) ends with it.
  const app = spawn('dbus-run-session', ['--', binary, '--sip', '127.0.0.1:0', '--data', data], {
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
  } finally {
    // SIGTERM closes the window; the console must then exit by itself.
    process.kill(-app.pid, 'SIGTERM');
    const clean = await Promise.race([exited.then(() => true), sleep(10000).then(() => false)]);
    try { process.kill(-app.pid, 'SIGKILL'); } catch { /* already gone */ }
    xvfb.proc.kill('SIGKILL');
    assert.ok(clean, `the console did not exit within 10 s of SIGTERM; logs:\n${logs}`);
    rmSync(data, { recursive: true, force: true });
  }
});
