// Shared helpers of the end-to-end tests: start the real console binary
// (headless bridge + embedded switchboard) on ephemeral ports, drive Debian's
// Chromium with playwright-core, save screenshots as artifacts.
import { execFileSync, spawn } from 'node:child_process';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const binary = join(root, 'build/bin/concierge');
export const artifacts = join(root, 'test/artifacts');
mkdirSync(artifacts, { recursive: true });

export const ADMIN_PASSWORD = 'e2e-admin-secret';

/** Waits until a line of the stream matches re; returns the match. */
function waitFor(stream, re, what, ms = 20000) {
  return new Promise((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}; output so far:\n${buf}`)), ms);
    stream.on('data', (d) => {
      buf += d;
      const m = buf.match(re);
      if (m) {
        clearTimeout(timer);
        res(m);
      }
    });
  });
}

/**
 * Starts `concierge --headless` with its embedded switchboard in a fresh
 * data dir. Returns { url, sip, stop }.
 */
export async function startConsole({ args = [], data = mkdtempSync(join(tmpdir(), 'concierge-e2e-')), keepData = false } = {}) {
  const proc = spawn(binary, ['--headless', '--listen', '127.0.0.1:0', '--sip', '127.0.0.1:0', '--data', data, '--softphone=false', ...args], {
    env: { ...process.env, CONCIERGE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((res) => proc.on('exit', res));
  const [, url] = await waitFor(proc.stdout, /bridge listening on (http:\/\/\S+)/, 'the bridge');
  const sipMatch = stderr.match(/sip=(\S+)/);
  return {
    url,
    data,
    sip: sipMatch ? sipMatch[1] : undefined,
    logs: () => stderr,
    /** Kills the process without warning, as a crash would. */
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      if (!keepData) rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's Chromium headless, as root-safe as CI needs. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Opens the console in a new page with the given UI locale. */
export async function openConsole(browser, url, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  return page;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/**
 * Places a real SIP call with SIPp (test/sipp/caller.xml) into a switchboard
 * at sip (host:port). The caller's RTP port is a UDP socket of ours, so the
 * test can count the music on hold it receives. Returns { rtpPackets(), done, stop }.
 */
export async function placeCall(sip, { caller = '0612345678', service = 'reception', durationMs = 4000, pcap = '/usr/share/sip-tester/g711a.pcap' } = {}) {
  const dgram = await import('node:dgram');
  const rtp = dgram.createSocket('udp4');
  let packets = 0;
  rtp.on('message', (m) => {
    if (m.length >= 12 && (m[0] & 0xc0) === 0x80) packets++; // RTP version 2
  });
  await new Promise((r) => rtp.bind(0, '127.0.0.1', r));
  const [host, port] = sip.split(':');
  const proc = spawn('sipp', [
    `${host}:${port}`, '-sf', join(root, 'test/sipp/caller.xml'), '-s', service,
    '-i', '127.0.0.1', '-p', '0', '-mi', '127.0.0.1', '-m', '1', '-d', String(durationMs),
    '-key', 'caller', caller, '-key', 'rtpport', String(rtp.address().port),
    '-key', 'pcap', pcap, '-nostdin',
  ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const done = new Promise((res) => proc.on('exit', (code) => { rtp.close(); res({ code, out }); }));
  return { rtpPackets: () => packets, done, stop: () => proc.kill('SIGKILL') };
}

/** Writes a mono 16-bit 8 kHz WAV of a sine tone: a softphone's microphone. */
function writeToneWav(path, hz = 440, seconds = 30) {
  const n = 8000 * seconds;
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + 2 * n, 4); buf.write('WAVE', 8);
  buf.write('fmt ', 12); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24); buf.writeUInt32LE(16000, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36); buf.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)), 44 + 2 * i);
  writeFileSync(path, buf);
}

/**
 * A port for baresip's sip_listen: baresip 1.0 binds UDP and TCP on it and TLS
 * on the next port, so all three must be free.
 */
async function freeBaresipPort() {
  const dgram = await import('node:dgram');
  const net = await import('node:net');
  const bindable = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  for (let i = 0; i < 50; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise((r) => s.bind(0, '127.0.0.1', r));
    const { port } = s.address();
    const free = port < 65535 && await bindable(port) && await bindable(port + 1);
    s.close();
    if (free) return port;
  }
  throw new Error('no port with UDP, TCP and the next TCP port free after 50 tries');
}

/**
 * Starts baresip, a real softphone, registered at sip (host:port) as user.
 * answermode "auto" answers every call. What it hears is recorded as WAV
 * files in dumpDir (sndfile module). Returns { dumpDir, output(), stop }.
 */
export async function startBaresip(sip, user, password, { answermode = 'auto' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'concierge-baresip-'));
  const dumpDir = join(dir, 'dump');
  mkdirSync(dumpDir);
  const tone = join(dir, 'tone.wav');
  writeToneWav(tone);
  writeFileSync(join(dir, 'accounts'),
    `<sip:${user}@${sip};transport=udp>;auth_pass=${password};answermode=${answermode};regint=60;audio_codecs=pcma,pcmu\n`);
  writeFileSync(join(dir, 'contacts'), '');
  // A port found free can be taken before baresip binds it (it then exits at
  // once): try again on another.
  for (let attempt = 1; ; attempt++) {
    writeFileSync(join(dir, 'config'), [
      'poll_method epoll', `sip_listen 127.0.0.1:${await freeBaresipPort()}`, 'audio_player aubridge,sink',
      `audio_source aufile,${tone}`, 'audio_alert aubridge,alert', 'module_path /usr/lib/baresip/modules',
      'module g711.so', 'module aufile.so', 'module aubridge.so', 'module sndfile.so', 'module_tmp account.so',
      'module_app menu.so', `snd_path ${dumpDir}`, '',
    ].join('\n'));
    const proc = spawn('baresip', ['-f', dir, '-n', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let ready;
    const isReady = new Promise((r) => (ready = r));
    const collect = (d) => {
      out += d;
      if (out.includes('baresip is ready')) ready(true);
    };
    proc.stdout.on('data', collect);
    proc.stderr.on('data', collect);
    const exited = new Promise((r) => proc.on('exit', r));
    const started = await Promise.race([isReady, exited.then(() => false)]);
    if (!started) {
      if (attempt < 5 && out.includes('Address already in use')) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`baresip did not start:\n${out.slice(-2000)}`);
    }
    return {
      dumpDir,
      output: () => out,
      async stop() {
        proc.kill('SIGKILL');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** The embedded switchboard's API address and TLS fingerprint, from the logs. */
export function switchboardOf(app) {
  const m = app.logs().match(/API listening" url=(https:\/\/\S+) tls_sha256=([0-9a-f]{64})/);
  if (!m) throw new Error(`no API address in the logs:\n${app.logs()}`);
  return { url: m[1], fingerprint: m[2] };
}

/**
 * Calls the switchboard's HTTPS API, trusting exactly the pinned certificate
 * (as consoles do), and returns { status, body } with the decoded JSON body:
 * for tests that check a refusal.
 */
export async function apiRequest({ url, fingerprint }, method, path, body, token) {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/api/v1${path}`, {
      method,
      rejectUnauthorized: false, // replaced by the exact pin below
      agent: false, // a fresh TLS handshake each time: a resumed session has no peer certificate to pin
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      const pin = res.socket.getPeerCertificate().fingerprint256.replaceAll(':', '').toLowerCase();
      if (pin !== fingerprint) return reject(new Error(`certificate ${pin} is not the pinned ${fingerprint}`));
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, body: data ? JSON.parse(data) : null, text: data }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** apiRequest for a call that must succeed: the decoded JSON answer, or an error with the status. */
export async function apiCall(sb, method, path, body, token) {
  const res = await apiRequest(sb, method, path, body, token);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * An administrator signed in without an extension lands on the management views (L2); this
 * switches to the panels through the avatar menu, as a user would.
 */
export async function showPanels(page) {
  await page.getByTestId('management').waitFor({ timeout: 15000 });
  await page.locator('button.avatar').click();
  await page.getByTestId('menu-management').click();
  await page.locator('section[data-panel]').first().waitFor();
}

/** An administrator's API session at the console's embedded switchboard: { sb, token }. */
export async function adminSession(app) {
  const sb = switchboardOf(app);
  const { token } = await apiCall(sb, 'POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
  return { sb, token };
}

/** Fills the login form as a user would and submits it with Enter. */
export async function logIn(page, { username = 'admin', password = ADMIN_PASSWORD, extension = '201' } = {}) {
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.locator('#login-extension').fill(extension);
  await page.locator('#login-password').press('Enter');
}

/** Opens the console, logs in as the admin at extension 201 and waits for the workspace: { page, workspace }. */
export async function openWorkspace(browser, url) {
  const page = await openConsole(browser, url, 'en-US');
  await logIn(page);
  const workspace = page.locator('section[data-panel="workspace"]');
  await workspace.waitFor();
  return { page, workspace };
}

/** Polls cond (sync or async) every 200 ms until it holds; fails with message() after ms. */
export async function until(cond, message, ms = 15000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, message());
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves true when promise settles within ms, false otherwise. */
export const within = (promise, ms) => Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

/** The first line child writes on stream: how Xvfb and dbus-daemon say where they listen. */
function firstLine(child, stream, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    stream.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

/** Xvfb on a display it picks itself (-displayfd: no fixed numbers): { proc, display }. */
export async function startXvfb(screen = '1440x900x24') {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', screen, '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  return { proc, display: `:${await firstLine(proc, proc.stdio[3], 'Xvfb')}` };
}

/**
 * gnome-keyring's Secret Service, unlocked, on a private session bus whose socket is in dir: the
 * OS keyring of "remember me". Returns { address, procs } (the bus and the keyring, to kill).
 */
export async function startSecretService(dir) {
  const bus = spawn('dbus-daemon', ['--session', '--nofork', `--address=unix:path=${join(dir, 'bus')}`, '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const procs = [bus];
  try {
    const address = await firstLine(bus, bus.stdout, 'dbus-daemon');
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_DATA_HOME: join(dir, 'share') };
    const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    procs.push(keyring);
    keyring.stdin.end('test-keyring-password');
    const send = (...args) => {
      try {
        return execFileSync('dbus-send', ['--session', '--print-reply', ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      } catch {
        return '';
      }
    };
    // Ask the bus whether the name is taken (asking the service itself would have D-Bus start a
    // second, locked gnome-keyring), then for the unlocked login keyring.
    await until(() => send('--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets').includes('boolean true')
      && send('--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.ReadAlias', 'string:default').includes('/collection/login'),
    () => 'gnome-keyring did not come up', 10000);
    return { address, procs };
  } catch (err) {
    for (const p of procs) p.kill('SIGKILL');
    throw err;
  }
}

/**
 * A desktop for the real window (Wails + WebKitGTK): Xvfb on a display it picks itself
 * (-displayfd: no fixed numbers), a private session bus (the tray icon lives there) and a fresh
 * data folder. Returns { display, busAddress, data, env (the console's), xenv (X tools'), close() }.
 */
export async function startDesktop({ screen = '1440x900x24', prefix = 'concierge-desktop-' } = {}) {
  const { proc: xvfb, display } = await startXvfb(screen);
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const busAddress = await firstLine(bus, bus.stdout, 'dbus-daemon').catch((e) => { xvfb.kill('SIGKILL'); throw e; });
  const data = mkdtempSync(join(tmpdir(), prefix));
  const xenv = { ...process.env, DISPLAY: display };
  return {
    display, busAddress, data, xenv,
    env: {
      ...xenv,
      CONCIERGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // No GPU in CI; root cannot use WebKit's bubblewrap sandbox in a container.
      WEBKIT_DISABLE_COMPOSITING_MODE: '1',
      WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1',
      XDG_RUNTIME_DIR: data,
      DBUS_SESSION_BUS_ADDRESS: busAddress,
      // GTK's accessibility bus would outlive the window and hold our pipes open.
      NO_AT_BRIDGE: '1',
    },
    close() {
      xvfb.kill('SIGKILL');
      bus.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the desktop console (no --headless) on desk, in a process group of its own so that the
 * whole session (WebKit helpers) ends with it. Returns { proc, logs, exited }.
 */
export function startWindow(desk) {
  const proc = spawn(binary, ['--sip', '127.0.0.1:0', '--data', desk.data], { env: desk.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const app = { proc, logs: '', exited: new Promise((r) => proc.on('exit', (code) => r(code))) };
  proc.stdout.on('data', (d) => (app.logs += d));
  proc.stderr.on('data', (d) => (app.logs += d));
  return app;
}

/** Waits until the window console's logs match re; fails if it exits first. */
export function waitLog(app, re, what, ms = 60000) {
  return until(() => {
    if (re.test(app.logs)) return true;
    assert.equal(app.proc.exitCode, null, `the console exited early:\n${app.logs}`);
    return false;
  }, () => `no ${what} within ${ms / 1000} s; logs:\n${app.logs}`, ms);
}

/** SIGTERM to the window console's group; true if it exited within 10 s (then SIGKILL anyway). */
export async function stopWindow(app) {
  try { process.kill(-app.proc.pid, 'SIGTERM'); } catch { /* already gone */ }
  const clean = await within(app.exited, 10000);
  try { process.kill(-app.proc.pid, 'SIGKILL'); } catch { /* already gone */ }
  return clean;
}

/** Bytes baresip has recorded of what it hears (every dump in dumpDir). */
export const recordedBytes = (dir) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

/** Waits until baresip phone has answered a call (its log says "established"). */
export function answered(phone, who, ms = 15000) {
  return until(() => /established/i.test(phone.output()), () => `${who} did not answer:\n${phone.output().slice(-2000)}`, ms);
}

/** Waits until baresip phone has recorded more than `bytes` of audio (2 s at 8 kHz 16-bit) past `from`. */
export function heard(phone, who, { from = 0, bytes = 2 * 16000, ms = 20000 } = {}) {
  return until(() => recordedBytes(phone.dumpDir) > from + bytes,
    () => `${who} heard nothing (${recordedBytes(phone.dumpDir)} bytes recorded); baresip:\n${phone.output().slice(-2000)}`, ms);
}

/**
 * The set-up of a test file that drives calls: before its tests, the console (by default with its
 * built-in softphone) and Chromium start; after them, the phones passed to track(), Chromium and
 * the console stop. Read fx.app and fx.browser inside the tests.
 */
export function consoleFixture({ args = ['--softphone=true'] } = {}) {
  const phones = [];
  const fx = {
    app: undefined,
    browser: undefined,
    /** Stops phone (a baresip) after the file's tests; returns it. */
    track(phone) {
      phones.push(phone);
      return phone;
    },
    /** A colleague: attendant username created at the switchboard, whose baresip (auto-answering) registers as them. */
    async colleague({ username, name, password }) {
      const { sb, token } = await adminSession(fx.app);
      await apiCall(sb, 'POST', '/users', { username, name, role: 'attendant', password }, token);
      return fx.track(await startBaresip(fx.app.sip, username, password));
    },
  };
  before(async () => {
    fx.app = await startConsole({ args });
    fx.browser = await launchBrowser();
  });
  after(async () => {
    for (const phone of phones) await phone.stop();
    await fx.browser?.close();
    await fx.app?.stop();
  });
  return fx;
}
