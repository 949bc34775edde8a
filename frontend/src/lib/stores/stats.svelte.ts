// Today's queue statistics (Q10) for the queue panel's header and the wallboard. Loaded once
// when first shown, then replaced by every `stats:updated` the switchboard pushes (complete
// figures, not deltas: nothing to reconcile after a reconnect, which also brings a fresh copy).
// Waits tick on screen from `oldestEnteredAt` with the shared clock.

import { STATS_EVENT, StatsAPI, type QueueStats, type Stats } from '../api/stats';
import { on as transportOn, type EventCallback } from '../api/transport';
import { i18n, t } from '../i18n/index.svelte';

export interface StatsStoreDeps {
  api: Pick<StatsAPI, 'today'>;
  on: (name: string, cb: EventCallback) => () => void;
}

/** Service level shown as below target under this share (80/20 is the usual goal), for queues
 * whose own target is unknown (an older switchboard). */
export const SERVICE_LEVEL_TARGET = 0.8;

/** A queue's (or report row's) goal: the share to reach and the threshold in seconds. */
export function goalOf(q: { serviceLevelSeconds?: number; serviceLevelTarget?: number }, fallbackSeconds = 20) {
  return {
    target: q.serviceLevelTarget ? q.serviceLevelTarget / 100 : SERVICE_LEVEL_TARGET,
    seconds: q.serviceLevelSeconds || fallbackSeconds,
  };
}

/** The goal, as the tooltips and the wallboard say it: "Goal: 80 % within 20 s". */
export function goalText(q: { serviceLevelSeconds?: number; serviceLevelTarget?: number }, fallbackSeconds?: number): string {
  const g = goalOf(q, fallbackSeconds);
  return t('stats.goal', { target: formatPercent(g.target, i18n.locale), seconds: g.seconds });
}

/** The queue's service level is known and under its own target. */
export function belowTarget(q: { serviceLevel: number | null; serviceLevelTarget?: number }): boolean {
  return q.serviceLevel !== null && q.serviceLevel < goalOf(q).target;
}

export class StatsStore {
  stats = $state.raw<Stats | null>(null);
  error = $state('');
  /** The wallboard is open (avatar menu, shortcut). */
  wallboardOpen = $state(false);

  #off: (() => void) | null = null;
  #generation = 0;
  #deps: StatsStoreDeps;

  constructor(deps: Partial<StatsStoreDeps> = {}) {
    this.#deps = { api: deps.api ?? StatsAPI, on: deps.on ?? transportOn };
  }

  get queues(): QueueStats[] {
    return this.stats?.queues ?? [];
  }

  /**
   * All queues together: calls waiting, the oldest wait, today's service level, and the queues
   * below their own target (each queue has its goal, so the total has none of its own).
   */
  get total(): { waiting: number; oldestEnteredAt: string | null; serviceLevel: number | null; below: QueueStats[] } {
    let waiting = 0;
    let oldest: string | null = null;
    let inTime = 0;
    let finished = 0;
    for (const q of this.queues) {
      waiting += q.waiting;
      if (q.oldestEnteredAt && (!oldest || Date.parse(q.oldestEnteredAt) < Date.parse(oldest))) {
        oldest = q.oldestEnteredAt;
      }
      if (q.serviceLevel !== null) {
        const n = q.answered + q.abandoned;
        inTime += q.serviceLevel * n;
        finished += n;
      }
    }
    return {
      waiting,
      oldestEnteredAt: oldest,
      serviceLevel: finished ? inTime / finished : null,
      below: this.queues.filter(belowTarget),
    };
  }

  /** Listens for pushed figures and loads them once. Idempotent; never rejects. */
  async start(): Promise<void> {
    if (this.#off) return;
    this.#off = this.#deps.on(STATS_EVENT, (data) => {
      if (data && typeof data === 'object') this.stats = data as Stats;
    });
    const generation = this.#generation;
    try {
      const s = await this.#deps.api.today();
      // A push may have arrived meanwhile: it is as new or newer.
      if (generation === this.#generation && !this.stats) this.stats = s;
      this.error = '';
    } catch (err) {
      if (generation === this.#generation) this.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Forgets everything (logout). */
  stop() {
    this.#off?.();
    this.#off = null;
    this.#generation++;
    this.stats = null;
    this.error = '';
    this.wallboardOpen = false;
  }
}

/** Formats a 0..1 share as a whole percentage ("85 %" in French), or "–" when unknown. */
export function formatPercent(share: number | null, locale: string): string {
  if (share === null || Number.isNaN(share)) return '–';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

export const statsStore = new StatsStore();
