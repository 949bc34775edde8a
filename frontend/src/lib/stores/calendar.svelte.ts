// The selected contact's calendar (D2, manual §8): the appointments of the day or week shown.
// The details panel shows it from `show()` until the returned function is called; meanwhile it
// is read again every minute and after a reconnect (the session calls refresh()). Answers for
// an earlier contact or range are dropped (generation counter); the last schedule stays on
// screen while a new one is read, or when reading fails.
//
// Past midnight: a view that shows today (opened on it, or brought back to it with Today or
// the arrows) moves to the new today — at the next show() or the next periodic read — so a
// contact left open overnight does not keep showing yesterday. A day the user went to on
// purpose with the arrows stays: they asked for that day, not for "today".

import { CalendarAPI, type CalendarSettings, type CalendarSettingsUpdate, type CalendarTest, type Schedule } from '../api/calendar';
import { i18n } from '../i18n/index.svelte';
import { AdminSettingsStore } from './adminSettings.svelte';

export type CalendarMode = 'day' | 'week';

export interface CalendarStoreDeps {
  api: Pick<CalendarAPI, 'get'>;
  now: () => number;
  /** How often the schedule is read again while shown, in ms. */
  interval: number;
  /** The first day of the week, 0 (Sunday) … 6 (read again when the language changes). */
  weekStart: () => number;
}

/** Working hours, emphasized on the grid. */
export const WORK_START = 8;
export const WORK_END = 18;
/** Monday: ISO 8601, the convention in fr, nl, de and across Europe. */
export const MONDAY = 1;

type WeekInfoLocale = Intl.Locale & { getWeekInfo?: () => { firstDay?: number }; weekInfo?: { firstDay?: number } };

/**
 * The first day of the week (0 Sunday … 6 Saturday) in this language: Monday in fr, nl and de;
 * in English, the browser's region decides (en-US Sunday, en-GB Monday) where the browser can
 * tell (Intl.Locale week info), else Monday.
 */
export function weekStartFor(language: string, browserLocale: string | undefined): number {
  if (language !== 'en' || !browserLocale) return MONDAY;
  try {
    const loc = new Intl.Locale(browserLocale) as WeekInfoLocale;
    const first = (loc.getWeekInfo?.() ?? loc.weekInfo)?.firstDay; // 1 Monday … 7 Sunday
    if (typeof first === 'number' && first >= 1 && first <= 7) return first % 7;
  } catch {
    // not a locale tag: the default
  }
  return MONDAY;
}

function browserWeekStart(): number {
  return weekStartFor(i18n.locale, typeof navigator === 'undefined' ? undefined : navigator.language);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Local midnight of the day containing t. */
export function startOfDay(t: number | Date): Date {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** The local midnight n days after d's (calendar days, so DST days stay whole). */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

export function startOfWeek(d: Date, weekStart = MONDAY): Date {
  const day = startOfDay(d);
  return addDays(day, -((day.getDay() - weekStart + 7) % 7));
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** The days shown: [from, to) in local midnights. */
export function rangeOf(mode: CalendarMode, anchor: Date, weekStart = MONDAY): { from: Date; to: Date; days: Date[] } {
  const from = mode === 'day' ? startOfDay(anchor) : startOfWeek(anchor, weekStart);
  const n = mode === 'day' ? 1 : 7;
  const days = Array.from({ length: n }, (_, i) => addDays(from, i));
  return { from, to: addDays(from, n), days };
}

export class CalendarStore {
  mode = $state<CalendarMode>('day');
  /** The view the user picked, kept for the session; until then the panel's width suggests one. */
  chosen = $state<CalendarMode | null>(null);
  /** Local midnight of a day in the range shown (ms). */
  anchor = $state(0);
  contactId = $state<string | null>(null);
  schedule = $state.raw<Schedule | null>(null);
  loading = $state(false);
  /** Why the last read failed (the switchboard unreachable…); the last schedule stays. */
  error = $state('');

  #loadedKey = $state('');
  #deps: CalendarStoreDeps;

  range = $derived(rangeOf(this.mode, new Date(this.anchor), this.#weekStart()));
  /** The schedule is for the contact and range on screen (not one kept while the next loads). */
  current = $derived(this.#loadedKey === this.#key());

  #generation = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** The anchor is today's and the user did not move it away: it follows the date. */
  #followsToday = true;

  constructor(deps: Partial<CalendarStoreDeps> = {}) {
    this.#deps = {
      api: deps.api ?? CalendarAPI,
      now: deps.now ?? (() => Date.now()), // read at each call: a faked or changed clock counts
      interval: deps.interval ?? 60_000,
      weekStart: deps.weekStart ?? browserWeekStart,
    };
    this.anchor = startOfDay(this.#deps.now()).getTime();
  }

  #weekStart(): number {
    return this.#deps.weekStart();
  }

  #key(): string {
    return `${this.contactId}|${this.range.from.getTime()}|${this.range.to.getTime()}`;
  }

  /**
   * Shows this contact's calendar, opening on today when it is another contact than last time.
   * Returns the function that stops reading it (the panel closed or shows someone else).
   */
  show(contactId: string): () => void {
    if (contactId !== this.contactId) {
      this.contactId = contactId;
      this.schedule = null;
      this.error = '';
      this.#loadedKey = '';
      this.#anchorToday();
    } else {
      this.#rollDay();
    }
    this.#stopTimer();
    this.#timer = setInterval(() => void this.refresh(), this.#deps.interval);
    void this.refresh();
    return () => {
      if (this.contactId !== contactId) return;
      this.#stopTimer();
      this.#generation++; // an answer still under way is for nobody
      this.loading = false;
    };
  }

  /** The user's choice of view: it stays, whatever the panel's width. */
  setMode(mode: CalendarMode) {
    this.chosen = mode;
    if (mode === this.mode) return;
    this.mode = mode;
    void this.refresh();
  }

  /** The view that fits the space available, unless the user picked one. */
  suggestMode(mode: CalendarMode) {
    if (this.chosen !== null || mode === this.mode) return;
    this.mode = mode;
    void this.refresh();
  }

  /** One day or week back (-1) or forward (1). */
  step(delta: -1 | 1) {
    this.anchor = addDays(new Date(this.anchor), delta * (this.mode === 'day' ? 1 : 7)).getTime();
    // Back on today with the arrows counts as today again.
    this.#followsToday = this.anchor === startOfDay(this.#deps.now()).getTime();
    void this.refresh();
  }

  today() {
    this.#anchorToday();
    void this.refresh();
  }

  #anchorToday() {
    const today = startOfDay(this.#deps.now()).getTime();
    if (today !== this.anchor) this.anchor = today;
    this.#followsToday = true;
  }

  /** Moves a view that follows today to the new today after midnight. */
  #rollDay() {
    if (this.#followsToday && startOfDay(this.#deps.now()).getTime() !== this.anchor) this.#anchorToday();
  }

  /** Reads the schedule on screen again; nothing while no calendar is shown. Never rejects. */
  async refresh(): Promise<void> {
    const id = this.contactId;
    if (!id || this.#timer === null) return;
    this.#rollDay();
    const generation = ++this.#generation;
    const key = this.#key();
    const { from, to } = this.range;
    this.loading = true;
    try {
      const s = await this.#deps.api.get(id, from.toISOString(), to.toISOString());
      if (generation !== this.#generation) return;
      this.schedule = s;
      this.#loadedKey = key;
      this.error = '';
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = message(err) || 'error';
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Forgets everything (logout). */
  stop() {
    this.#stopTimer();
    this.#generation++;
    this.contactId = null;
    this.schedule = null;
    this.error = '';
    this.loading = false;
    this.#loadedKey = '';
    this.mode = 'day';
    this.chosen = null;
    this.#anchorToday();
  }

  #stopTimer() {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

export const calendarStore = new CalendarStore();

/** Settings → Calendar (administrators): the connection to the calendar server. Saving rejects with the server's message (bad URL
 * template, missing tenant…); the test reads one person's calendar with the saved settings. */
export class CalendarAdminStore extends AdminSettingsStore<CalendarSettings, CalendarSettingsUpdate, CalendarTest> {
  constructor(api: Pick<CalendarAPI, 'settings' | 'save' | 'test'> = CalendarAPI) {
    super({ load: () => api.settings(), save: (s) => api.save(s), test: (email) => api.test(email) });
  }
}

export const calendarAdminStore = new CalendarAdminStore();
