// What the long tasks of a Chromium trace are made of (a trace from `PERF_TRACE=1 node ../perf/ui.mjs`):
// every main-thread task over 50 ms, with the time of its biggest kinds of work (script, style
// recalculation, layout, paint…) and, for style and layout, how many elements they touched; then
// the main thread's CPU time per kind over the whole trace (thread time: unlike wall time, it
// hardly depends on what else the machine runs, so two builds can be compared on a busy machine).
//
//   node test/perf/longtasks.mjs test/artifacts/perf-burst.trace.json [threshold ms]
import { readFileSync } from 'node:fs';

const [file, threshold = '50'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node longtasks.mjs TRACE.json [threshold ms]');
  process.exit(2);
}
const raw = JSON.parse(readFileSync(file, 'utf8'));
const events = Array.isArray(raw) ? raw : raw.traceEvents;

// The renderer main thread: the one that runs the page's tasks (most RunTask with script).
const names = new Map();
for (const e of events) {
  if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name);
}
const mains = [...names].filter(([, n]) => n === 'CrRendererMain').map(([k]) => k);
const busiest = mains
  .map((k) => [k, events.filter((e) => `${e.pid}:${e.tid}` === k && e.name === 'FunctionCall').length])
  .sort((a, b) => b[1] - a[1])[0]?.[0];
const main = events.filter((e) => `${e.pid}:${e.tid}` === busiest && e.ph === 'X' && typeof e.dur === 'number');

const KINDS = {
  FunctionCall: 'script', EvaluateScript: 'script', 'v8.callFunction': 'script', TimerFire: 'script',
  FireAnimationFrame: 'script', EventDispatch: 'script', RunMicrotasks: 'microtasks', V8GC: 'gc', MinorGC: 'gc', MajorGC: 'gc',
  UpdateLayoutTree: 'style', RecalculateStyles: 'style', Layout: 'layout', UpdateLayerTree: 'layers',
  PrePaint: 'prepaint', Paint: 'paint', 'Layerize': 'layers', HitTest: 'hittest', ParseHTML: 'parse',
};

const tasks = main.filter((e) => e.name === 'RunTask' && e.dur / 1000 > Number(threshold));
const totals = {};
for (const task of tasks) {
  const end = task.ts + task.dur;
  const inside = main.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= end);
  // Top-most events of each kind only (a nested FunctionCall is not counted twice).
  const by = {};
  const open = [];
  let elements = { style: 0, layout: 0 };
  for (const e of inside.sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
    const kind = KINDS[e.name];
    if (!kind) continue;
    while (open.length && open[open.length - 1].end <= e.ts) open.pop();
    if (!open.some((o) => o.kind === kind)) by[kind] = (by[kind] ?? 0) + e.dur / 1000;
    open.push({ kind, end: e.ts + e.dur });
    if (kind === 'style') elements.style += e.args?.elementCount ?? e.args?.data?.elementCount ?? 0;
    if (kind === 'layout') elements.layout += e.args?.beginData?.dirtyObjects ?? 0;
  }
  for (const [k, v] of Object.entries(by)) totals[k] = (totals[k] ?? 0) + v;
  const parts = Object.entries(by).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  console.log(`task ${(task.dur / 1000).toFixed(1)} ms: ${parts}; style elements ${elements.style}, layout dirty objects ${elements.layout}`);
}
console.log(`${tasks.length} tasks over ${threshold} ms; totals: ${Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);

// CPU (thread) time per kind over the whole trace, top-most events only.
const cpu = {};
const open = [];
for (const e of [...main].sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
  const kind = KINDS[e.name];
  if (!kind) continue;
  while (open.length && open[open.length - 1].end <= e.ts) open.pop();
  if (!open.some((o) => o.kind === kind)) cpu[kind] = (cpu[kind] ?? 0) + (e.tdur ?? e.dur) / 1000;
  open.push({ kind, end: e.ts + e.dur });
}
const all = main.filter((e) => e.name === 'RunTask').reduce((s, e) => s + (e.tdur ?? e.dur) / 1000, 0);
console.log(`main thread CPU: tasks ${all.toFixed(0)} ms; ${Object.entries(cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms`);

// The burst ends with 1.5 s of timers ticking over 100 rows (ui.mjs): the CPU of each frame then.
if (file.includes('burst')) {
  const end = Math.max(...main.map((e) => e.ts + e.dur));
  const frames = main.filter((e) => e.name === 'RunTask' && e.ts > end - 1_400_000).filter((t) =>
    main.some((e) => e.name === 'Paint' && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur));
  const ms = frames.map((t) => ((t.tdur ?? t.dur) / 1000).toFixed(1));
  console.log(`frames while only the timers tick (CPU ms): ${ms.join(', ') || 'none'}`);
}
