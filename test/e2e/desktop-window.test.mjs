// The desktop window (issue 5): its size and place are remembered across
// starts, and a second start on the same data folder brings the running
// console's window up instead of opening another one. Xvfb + openbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { startDesktop, startWindow, stopWindow, waitLog, until, within } from './harness.mjs';

/** The console's top-level window: id, size and place on the screen. */
function geometry(display) {
  const env = { ...process.env, DISPLAY: display };
  const id = execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Concierge$'], { env }).toString().trim().split('\n')[0];
  const info = execFileSync('xwininfo', ['-id', id], { env }).toString();
  const num = (label) => Number(info.match(new RegExp(`${label}:\\s+(-?\\d+)`))[1]);
  return { id, x: num('Absolute upper-left X'), y: num('Absolute upper-left Y'), width: num('Width'), height: num('Height') };
}

test('the window comes back where it was left, and a second start shows the running one', { timeout: 150000 }, async () => {
  const desk = await startDesktop({ screen: '1600x1000x24', prefix: 'concierge-window-' });
  const { xenv } = desk;
  // A window manager, as on a desktop: GTK learns its window's new size and
  // place from the WM's configure events.
  const wm = spawn('openbox', ['--sm-disable'], { env: { ...xenv, HOME: desk.data }, stdio: 'ignore' });
  let first, again;
  try {
    first = startWindow(desk);
    await waitLog(first, /console: ready/, 'painted login window');
    const before = geometry(desk.display);
    execFileSync('xdotool', ['windowsize', before.id, '1100', '700'], { env: xenv });
    execFileSync('xdotool', ['windowmove', before.id, '120', '80'], { env: xenv });
    await until(() => geometry(desk.display).width === 1100, () => `the window was not resized: ${JSON.stringify(geometry(desk.display))}`, 10000);

    // A second start on the same data folder raises the first and exits.
    const second = startWindow(desk);
    assert.ok(await within(second.exited, 20000), `the second console did not hand over and exit:\n${second.logs}`);
    assert.equal(await second.exited, 0, `the second console exited with an error:\n${second.logs}`);
    assert.match(second.logs, /already running/);
    await waitLog(first, /second start/, 'the first console being told');

    assert.ok(await stopWindow(first), `the console did not exit on SIGTERM:\n${first.logs}`);
    assert.match(first.logs, /window geometry saved.*width=1100 height=700/);

    again = startWindow(desk);
    await waitLog(again, /console: ready/, 'painted login window after restart');
    const after = geometry(desk.display);
    assert.equal(after.width, 1100, `width after restart: ${JSON.stringify(after)}`);
    assert.equal(after.height, 700, `height after restart: ${JSON.stringify(after)}`);
    assert.ok(Math.abs(after.x - 120) <= 40 && Math.abs(after.y - 80) <= 40, `place after restart: ${JSON.stringify(after)}`);
  } finally {
    if (first) await stopWindow(first);
    if (again) await stopWindow(again);
    wm.kill('SIGKILL');
    desk.close();
  }
});
