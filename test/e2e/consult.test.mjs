// W9 with the UI only: the attendant answers a SIPp caller on the built-in softphone (no
// headset in CI: it sends silence), consults a colleague whose baresip answers, swaps to the
// caller and back, then completes. What baresip hears (its decoded WAV dump) tells who is
// connected to whom: the attendant's silence while consulting, music on hold while the
// attendant talks to the caller, and the caller's voice once the transfer is complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleFixture, screenshot, placeCall, openWorkspace } from './harness.mjs';

const fx = consoleFixture();

/** sipp's 7 s G.711 pcap repeated n times (RTP sequence and timestamps continued): a long talker. */
function longPcap(n) {
  const src = readFileSync('/usr/share/sip-tester/g711a.pcap');
  const pkts = [];
  for (let off = 24; off + 16 <= src.length;) {
    const sec = src.readUInt32LE(off), usec = src.readUInt32LE(off + 4), len = src.readUInt32LE(off + 8);
    pkts.push({ t: sec * 1e6 + usec, data: src.subarray(off + 16, off + 16 + len) });
    off += 16 + len;
  }
  const t0 = pkts[0].t, span = pkts.at(-1).t - t0 + 20000, rtp = 14 + 20 + 8;
  const out = [src.subarray(0, 24)];
  let seq = 0, ts = 0;
  for (let i = 0; i < n; i++) {
    for (const p of pkts) {
      const d = Buffer.from(p.data);
      d.writeUInt16BE(0, 40); // no UDP checksum: the payload changes
      d.writeUInt16BE(seq++ & 0xffff, rtp + 2);
      d.writeUInt32BE(ts >>> 0, rtp + 4);
      ts += d.length - rtp - 12;
      const t = t0 + i * span + (p.t - t0), hdr = Buffer.alloc(16);
      hdr.writeUInt32LE(Math.floor(t / 1e6), 0); hdr.writeUInt32LE(t % 1e6, 4);
      hdr.writeUInt32LE(d.length, 8); hdr.writeUInt32LE(d.length, 12);
      out.push(hdr, d);
    }
  }
  const path = join(mkdtempSync(join(tmpdir(), 'concierge-pcap-')), 'long.pcap');
  writeFileSync(path, Buffer.concat(out));
  return path;
}

/** The WAV baresip writes of what it receives (sndfile: one file per direction). */
function decoded(dir) {
  const f = readdirSync(dir).filter((n) => n.endsWith('.wav'));
  const dec = f.find((n) => /dec/.test(n));
  return dec ? join(dir, dec) : null;
}

/** RMS of the 16-bit samples baresip decodes during the next ms milliseconds. */
async function loudness(dir, ms = 1200) {
  await new Promise((r) => setTimeout(r, 300)); // packets routed before the change
  const file = decoded(dir);
  assert.ok(file, `no decoded dump in ${readdirSync(dir)}`);
  const from = statSync(file).size;
  await new Promise((r) => setTimeout(r, ms));
  const buf = readFileSync(file).subarray(from);
  let sum = 0, n = 0;
  for (let i = 0; i + 1 < buf.length; i += 2, n++) sum += buf.readInt16LE(i) ** 2;
  assert.ok(n > 4000, `baresip decoded only ${n} samples in ${ms} ms`);
  return Math.sqrt(sum / n);
}

test('consulted transfer from the workspace: consult, swap, swap back, complete', { timeout: 150000 }, async () => {
  const { app, browser } = fx;
  const colleague = await fx.colleague({ username: 'marc', name: 'Marc Vidal', password: 'marc-password' });

  const { page, workspace } = await openWorkspace(browser, app.url);

  const call = await placeCall(app.sip, { caller: '0677001122', durationMs: 90000, pcap: longPcap(12) });
  await workspace.getByRole('button', { name: /^Answer the call from/ }).click({ timeout: 20000 });
  const callerLine = workspace.locator('li[data-line-id]:not([data-line-id$=".consult"])');
  await callerLine.waitFor({ timeout: 10000 });

  await page.locator('#active-number').fill('marc');
  await workspace.getByRole('button', { name: /^Consult before transferring the call with/ }).click();
  const consultLine = workspace.locator('li[data-line-id$=".consult"]');
  await consultLine.and(page.locator('[data-state="active"]')).waitFor({ timeout: 15000 });
  await callerLine.getByText('On hold').waitFor();
  await screenshot(page, 'consult-two-lines');

  // Consulting: marc hears the attendant (a silent softphone), not the caller.
  const consulting = await loudness(colleague.dumpDir);
  assert.ok(consulting < 100, `marc heard ${consulting.toFixed(0)} RMS while consulting; want the attendant's silence`);

  // Swap to the caller: marc hears music on hold.
  await callerLine.getByRole('button', { name: /^Swap: talk to/ }).click();
  await consultLine.getByText('On hold').waitFor();
  const swapped = await loudness(colleague.dumpDir);
  assert.ok(swapped > 300, `marc heard ${swapped.toFixed(0)} RMS after the swap; want music on hold`);

  // And back to marc.
  await consultLine.getByRole('button', { name: /^Swap: talk to/ }).click();
  await callerLine.getByText('On hold').waitFor();
  const back = await loudness(colleague.dumpDir);
  assert.ok(back < 100, `marc heard ${back.toFixed(0)} RMS after swapping back; want the attendant's silence`);

  // Complete: both lines leave the workspace, marc hears the caller.
  const before = call.rtpPackets();
  await consultLine.getByRole('button', { name: /^Complete the transfer/ }).click();
  await callerLine.waitFor({ state: 'detached', timeout: 10000 });
  await consultLine.waitFor({ state: 'detached', timeout: 10000 });
  const completed = await loudness(colleague.dumpDir, 2000);
  assert.ok(completed > 300, `marc heard ${completed.toFixed(0)} RMS after Complete; want the caller`);
  assert.ok(call.rtpPackets() - before > 50, 'the caller hears nothing after Complete');
  await screenshot(page, 'consult-completed');
  console.log(`baresip RMS: consulting ${consulting.toFixed(0)}, swapped ${swapped.toFixed(0)}, back ${back.toFixed(0)}, completed ${completed.toFixed(0)}`);
  call.stop();
});
