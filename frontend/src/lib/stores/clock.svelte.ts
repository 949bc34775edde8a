// One shared 1 s ticker for every timer on screen. Timers are computed from timestamps
// (enteredAt), never by counting ticks, so they cannot drift; the ticker only triggers the
// re-render. The interval runs only while something on screen reads `clock.now`.

import { createSubscriber } from 'svelte/reactivity';

export class Clock {
  #now = Date.now();
  #subscribe: () => void;
  #source: () => number;

  constructor(intervalMs = 1000, source: () => number = Date.now) {
    this.#source = source;
    this.#now = source();
    this.#subscribe = createSubscriber((update) => {
      this.#now = source();
      update();
      const id = setInterval(() => {
        this.#now = source();
        update();
      }, intervalMs);
      return () => clearInterval(id);
    });
  }

  /** Current time in ms; reactive (ticks every second) when read in an effect or template. */
  get now(): number {
    if (!$effect.tracking()) return this.#source();
    this.#subscribe();
    return this.#now;
  }
}

export const clock = new Clock();

/** Milliseconds elapsed since an RFC 3339 timestamp; 0 when in the future or invalid. */
export function elapsedSince(iso: string, now: number): number {
  const start = Date.parse(iso);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, now - start);
}

/** Formats a duration as mm:ss under an hour ("00:07", "12:34"), else h:mm:ss ("1:02:03"). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${String(m).padStart(2, '0')}:${ss}`;
}
