// The desktop window (issue 5): its size and place are remembered across
// starts, and a second start on the same data folder brings the running
// console's window up instead of opening another one. Xvfb + openbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, ADMIN_PASSWORD } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startXvfb() {
  return new Promise((resolve, reject) => {
    const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], {
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

function start(env, data) {
  const proc = spawn(binary, ['--sip', '127.0.0.1:0', '--data', data], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const app = { proc, logs: '', exited: new Promise((r) => proc.on('exit', (code) => r(code))) };
  proc.stdout.on('data', (d) => (app.logs += d));
  proc.stderr.on('data', (d) => (app.logs += d));
  return app;
}

async function waitLog(app, re, what, ms = 60000) {
  const deadline = Date.now() + ms;
  while (!re.test(app.logs)) {
    assert.ok(Date.now() < deadline, `no ${what} within ${ms / 1000} s; logs:\n${app.logs}`);
    assert.equal(app.proc.exitCode, null, `the console exited early:\n${app.logs}`);
    await sleep(100);
  }
}

async function stop(app) {
  try { process.kill(-app.proc.pid, 'SIGTERM'); } catch { /* gone */ }
  const clean = await Promise.race([app.exited.then(() => true), sleep(10000).then(() => false)]);
  try { process.kill(-app.proc.pid, 'SIGKILL'); } catch { /* gone */ }
  return clean;
}

/** The console's top-level window: id, size and place on the screen. */
function geometry(display) {
  const env = { ...process.env, DISPLAY: display };
  const id = execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Concierge$'], { env }).toString().trim().split('\n')[0];
  const info = execFileSync('xwininfo', ['-id', id], { env }).toString();
  const num = (label) => Number(info.match(new RegExp(`${label}:\\s+(-?\\d+)`))[1]);
  return { id, x: num('Absolute upper-left X'), y: num('Absolute upper-left Y'), width: num('Width'), height: num('Height') };
}

test('the window comes back where it was left, and a second start shows the running one', { timeout: 150000 }, async () => {
  const xvfb = await startXvfb();
  const bus = await startSessionBus();
  const data = mkdtempSync(join(tmpdir(), 'concierge-window-'));
  const env = {
    ...process.env,
    DISPLAY: xvfb.display,
    CONCIERGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    WEBKIT_DISABLE_COMPOSITING_MODE: '1',
    WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1',
    XDG_RUNTIME_DIR: data,
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    NO_AT_BRIDGE: '1',
  };
  const xenv = { ...process.env, DISPLAY: xvfb.display };
  // A window manager, as on a desktop: GTK learns its window's new size and
  // place from the WM's configure events.
  const wm = spawn('openbox', ['--sm-disable'], { env: { ...xenv, HOME: data }, stdio: 'ignore' });
  let first, again;
  try {
    first = start(env, data);
    await waitLog(first, /console: ready/, 'painted login window');
    const before = geometry(xvfb.display);
    execFileSync('xdotool', ['windowsize', before.id, '1100', '700'], { env: xenv });
    execFileSync('xdotool', ['windowmove', before.id, '120', '80'], { env: xenv });
    const deadline = Date.now() + 10000;
    while (geometry(xvfb.display).width !== 1100) {
      assert.ok(Date.now() < deadline, `the window was not resized: ${JSON.stringify(geometry(xvfb.display))}`);
      await sleep(100);
    }

    // A second start on the same data folder raises the first and exits.
    const second = start(env, data);
    const code = await Promise.race([second.exited, sleep(20000).then(() => 'still running')]);
    assert.equal(code, 0, `the second console did not hand over and exit:\n${second.logs}`);
    assert.match(second.logs, /already running/);
    await waitLog(first, /second start/, 'the first console being told');

    assert.ok(await stop(first), `the console did not exit on SIGTERM:\n${first.logs}`);
    assert.match(first.logs, /window geometry saved.*width=1100 height=700/);

    again = start(env, data);
    await waitLog(again, /console: ready/, 'painted login window after restart');
    const after = geometry(xvfb.display);
    assert.equal(after.width, 1100, `width after restart: ${JSON.stringify(after)}`);
    assert.equal(after.height, 700, `height after restart: ${JSON.stringify(after)}`);
    assert.ok(Math.abs(after.x - 120) <= 40 && Math.abs(after.y - 80) <= 40, `place after restart: ${JSON.stringify(after)}`);
  } finally {
    if (first) await stop(first);
    if (again) await stop(again);
    wm.kill('SIGKILL');
    xvfb.proc.kill('SIGKILL');
    bus.proc.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
});
