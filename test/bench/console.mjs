// Desktop console benchmark (issue 5; run by `make bench`; a measurement, not a pass/fail test).
//
//   1. Cold start to an interactive window with cached data: from exec until the front-end
//      reports its first paint of the panels ("console: ready phase=main"), for a console of a
//      remote switchboard that logs in from the OS keyring and shows its local cache first.
//      With the CPU time the app and its children spent until then (the work, which other load
//      on a shared machine hardly changes).
//   2. Idle memory of the whole app: PSS of the process and every child (WebKit's web and
//      network processes), summed from /proc/PID/smaps_rollup, after 5 s idle.
//
// Both against an empty Wails v2 window (test/bench/emptyapp) built here with the same Go
// build flags. Runs under Xvfb with a private session bus and gnome-keyring. Targets:
// cold start ≤ 1 s; memory as low as possible. Env: BENCH_RUNS (5), BENCH_JSON (path),
// BENCH_LOGS (print every run's log; the console with --debug, for its start-up milestones).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { root, artifacts, ADMIN_PASSWORD, startXvfb, startSecretService } from '../e2e/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'concierge-bench-'));
const procs = [];
const own = (p) => (procs.push(p), p);

function cleanup() {
  for (const p of procs.reverse()) {
    try { process.kill(-p.pid, 'SIGKILL'); } catch { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  }
  rmSync(dir, { recursive: true, force: true });
}

// ---- build both apps the same way ----------------------------------------------------------
const tags = 'desktop,production,webkit2_41';
if (!existsSync(join(root, 'frontend/dist/index.html'))) execFileSync('npm', ['run', 'build'], { cwd: join(root, 'frontend'), stdio: 'inherit' });
const consoleBin = join(dir, 'concierge');
const emptyBin = join(dir, 'emptyapp');
for (const [out, pkg] of [[consoleBin, '.'], [emptyBin, './test/bench/emptyapp']]) {
  execFileSync('go', ['build', '-tags', tags, '-ldflags', '-s -w', '-o', out, pkg], { cwd: root, stdio: 'inherit' });
}

// ---- the apps under test (the desktop: Xvfb and the keyring, from the e2e harness) ---------
function run(bin, args, env) {
  const p = own(spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  const app = { p, logs: '', exited: new Promise((r) => p.on('exit', r)) };
  p.stdout.on('data', (d) => (app.logs += d));
  p.stderr.on('data', (d) => (app.logs += d));
  return app;
}

async function waitLog(app, re, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = app.logs.match(re);
    if (m) return m;
    if (Date.now() > deadline || app.p.exitCode !== null) throw new Error(`waiting for ${re}:\n${app.logs}`);
    await sleep(2);
  }
}

async function stop(app) {
  try { process.kill(-app.p.pid, 'SIGTERM'); } catch { /* gone */ }
  await Promise.race([app.exited, sleep(10000)]);
  try { process.kill(-app.p.pid, 'SIGKILL'); } catch { /* gone */ }
}

async function bridgeCall(url, service, method, ...args) {
  const res = await fetch(`${url}/bridge/call`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ service, method, args }) });
  if (!res.ok) throw new Error(`${service}.${method}: ${res.status} ${await res.text()}`);
  return res.json();
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system, ms) spent so far by pid and all its descendants: the work done,
 *  which, unlike the wall-clock time, other load on a shared machine hardly changes. */
function cpuTree(pid) {
  return pssTree(pid).parts.reduce((sum, p) => {
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return sum + ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
    } catch {
      return sum; // gone
    }
  }, 0);
}

/** PSS in kB of pid and all its descendants. */
function pssTree(pid) {
  const children = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(e));
    } catch { /* gone */ }
  }
  const parts = [];
  const walk = (p) => {
    try {
      const kb = Number(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m)[1]);
      const name = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      parts.push({ pid: p, name, kb });
    } catch { /* gone */ }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return { total: parts.reduce((a, b) => a + b.kb, 0), parts };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const xvfb = await startXvfb('1600x1000x24');
  own(xvfb.proc);
  const { display } = xvfb;
  const secrets = await startSecretService(dir);
  secrets.procs.forEach(own);
  const bus = secrets.address;
  const desktop = {
    ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: bus, CONCIERGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    WEBKIT_DISABLE_COMPOSITING_MODE: '1', WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1', NO_AT_BRIDGE: '1', XDG_RUNTIME_DIR: dir,
  };

  // A remote switchboard with 20 favorites for admin.
  const host = run(consoleBin, ['--headless', '--listen', '127.0.0.1:0', '--sip', '127.0.0.1:0', '--api', '127.0.0.1:0', '--data', join(dir, 'host')], desktop);
  const [, url, fingerprint] = await waitLog(host, /API listening" url=(https:\/\/\S+) tls_sha256=([0-9a-f]{64})/);
  const [, hostBridge] = await waitLog(host, /bridge listening on (http:\/\/\S+)/);
  await bridgeCall(hostBridge, 'Session', 'Login', { username: 'admin', password: ADMIN_PASSWORD, extension: '', server: '', remember: false });
  const ids = [];
  for (let i = 0; i < 20; i++) ids.push((await bridgeCall(hostBridge, 'Directory', 'Create', { displayName: `Colleague ${i}`, firstName: 'Colleague', lastName: String(i), phones: [{ type: 'work', number: `2${String(i).padStart(2, '0')}` }] })).id);
  await bridgeCall(hostBridge, 'Favorites', 'Save', [{ id: 'g1', name: 'Team', contactIds: ids, fields: [] }]);

  // Prime the console's cache and keyring: one login with "remember me".
  const consoleData = join(dir, 'console');
  const remoteArgs = ['--server', url, '--fingerprint', fingerprint, '--data', consoleData];
  const prime = run(consoleBin, ['--headless', '--listen', '127.0.0.1:0', ...remoteArgs], desktop);
  const [, primeBridge] = await waitLog(prime, /bridge listening on (http:\/\/\S+)/);
  // With an extension, as an attendant: the panels, and the softphone registering.
  await bridgeCall(primeBridge, 'Session', 'Login', { username: 'admin', password: ADMIN_PASSWORD, extension: '201', server: url, remember: true });
  await bridgeCall(primeBridge, 'Settings', 'Get');
  await bridgeCall(primeBridge, 'Favorites', 'Get');
  await sleep(500); // the password hash for offline use is written in the background
  await stop(prime);

  const results = {};
  for (const [name, bin, args, ready] of [
    ['console', consoleBin, process.env.BENCH_LOGS ? [...remoteArgs, '--debug'] : remoteArgs, /console: ready" phase=main/],
    ['empty Wails app', emptyBin, [], /empty: ready/],
  ]) {
    const starts = [];
    const cpu = [];
    const pss = [];
    let parts = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const app = run(bin, args, desktop);
      await waitLog(app, ready);
      starts.push(performance.now() - t0);
      cpu.push(cpuTree(app.p.pid));
      if (process.env.BENCH_LOGS) console.log(`--- ${name} run ${i + 1}, ready after ${Math.round(starts.at(-1))} ms:\n${app.logs}`);
      await sleep(5000);
      const m = pssTree(app.p.pid);
      pss.push(m.total);
      parts = m.parts;
      await stop(app);
    }
    results[name] = { startMs: starts.map(Math.round), cpuMs: cpu.map(Math.round), pssKB: pss, processes: parts.map((p) => `${p.name} ${Math.round(p.kb / 1024)} MB`) };
  }
  await stop(host);

  console.log(`\nDesktop console vs empty Wails window, ${RUNS} runs each, Xvfb; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(16)} start to first paint: median ${median(r.startMs)} ms (${r.startMs.join(', ')}), CPU ${median(r.cpuMs)} ms (${r.cpuMs.join(', ')})` +
      `   idle PSS: median ${(median(r.pssKB) / 1024).toFixed(0)} MB  [${r.processes.join(', ')}]`);
  }
  const json = process.env.BENCH_JSON ?? join(artifacts, 'bench-console.json');
  writeFileSync(json, JSON.stringify(results, null, 2));
  console.log(`  figures written to ${json}`);
} finally {
  cleanup();
}
