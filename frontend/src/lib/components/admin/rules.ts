// The queue form's rules section (Q9): what the administrator types, and the rules it becomes.
// Opening hours are typed per day as "08:00–12:00, 13:00–18:00"; an empty day is closed.
import { WEEKDAYS, type QueueRules, type Weekday } from '../../api/admin';
import { formatRanges, parseDates, parseRanges } from './fields';

export interface RulesDraft {
  useHours: boolean;
  timeZone: string;
  days: Record<Weekday, string>;
  closedDates: string;
  whenClosed: 'wait' | 'forward';
  closedTarget: string;
  /** Seconds; 0 = no overflow. */
  overflowAfter: number;
  overflowTarget: string;
  noAttendantTarget: string;
  emergencyTarget: string;
  /** Service-level goal (Q10): percent of calls answered within serviceLevelSeconds. */
  serviceLevelTarget: number;
  serviceLevelSeconds: number;
}

/** The usual service-level goal: 80 % within 20 s (the switchboard's default too). */
export const DEFAULT_SERVICE_LEVEL = { target: 80, seconds: 20 };

/** The server's time zone is unknown here; the browser's is the likely one. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The form's fields for rules (a new queue: no hours, keep waiting). */
export function rulesDraft(rules: QueueRules | null | undefined): RulesDraft {
  const h = rules?.hours ?? null;
  const days = {} as Record<Weekday, string>;
  for (const d of WEEKDAYS) days[d] = h ? formatRanges(h.days?.[d]) : '';
  if (!h) for (const d of WEEKDAYS.slice(0, 5)) days[d] = '08:00–18:00'; // a start when enabled
  return {
    useHours: Boolean(h),
    timeZone: h?.timeZone || localTimeZone(),
    days,
    closedDates: (h?.closedDates ?? []).join(', '),
    whenClosed: rules?.whenClosed === 'forward' ? 'forward' : 'wait',
    closedTarget: rules?.closedTarget ?? '',
    overflowAfter: rules?.overflowAfter ?? 0,
    overflowTarget: rules?.overflowTarget ?? '',
    noAttendantTarget: rules?.noAttendantTarget ?? '',
    emergencyTarget: rules?.emergencyTarget ?? '',
    serviceLevelTarget: rules?.serviceLevelTarget || DEFAULT_SERVICE_LEVEL.target,
    serviceLevelSeconds: rules?.serviceLevelSeconds || DEFAULT_SERVICE_LEVEL.seconds,
  };
}

/** Which check failed, by field: the form shows the message of that key next to it. */
export type RulesError =
  | 'hoursInvalid'
  | 'datesInvalid'
  | 'timeZoneRequired'
  | 'closedTargetRequired'
  | 'overflowInvalid'
  | 'overflowTargetRequired'
  | 'serviceLevelInvalid';

/**
 * The rules the draft describes, or the fields in error (`hours`, `closedTarget`, `overflow`,
 * `serviceLevel`). The default service-level goal is left out (the switchboard's default).
 * The switchboard checks again (time zone, targets) and its message lands next to the field.
 */
export function draftRules(d: RulesDraft): { rules: QueueRules; errors: Record<string, RulesError> } {
  const errors: Record<string, RulesError> = {};
  const rules: QueueRules = {
    whenClosed: d.whenClosed,
    closedTarget: d.whenClosed === 'forward' ? d.closedTarget.trim() : '',
    overflowAfter: d.overflowAfter,
    overflowTarget: d.overflowAfter > 0 ? d.overflowTarget.trim() : '',
    noAttendantTarget: d.noAttendantTarget.trim(),
    emergencyTarget: d.emergencyTarget.trim(),
  };
  if (d.useHours) {
    const days: Partial<Record<Weekday, { from: string; to: string }[]>> = {};
    for (const day of WEEKDAYS) {
      const ranges = parseRanges(d.days[day]);
      if (ranges === null) errors.hours = 'hoursInvalid';
      else if (ranges.length) days[day] = ranges;
    }
    const closedDates = parseDates(d.closedDates);
    if (closedDates === null) errors.hours ??= 'datesInvalid';
    if (!d.timeZone.trim()) errors.hours ??= 'timeZoneRequired';
    rules.hours = { timeZone: d.timeZone.trim(), days, closedDates: closedDates ?? [] };
  } else {
    rules.hours = null;
  }
  if (d.whenClosed === 'forward' && !rules.closedTarget) errors.closedTarget = 'closedTargetRequired';
  if (!Number.isInteger(d.overflowAfter) || d.overflowAfter < 0 || d.overflowAfter > 86400) errors.overflow = 'overflowInvalid';
  else if (d.overflowAfter > 0 && !rules.overflowTarget) errors.overflow = 'overflowTargetRequired';
  const { serviceLevelTarget: target, serviceLevelSeconds: seconds } = d;
  if (!Number.isInteger(target) || target < 1 || target > 100 || !Number.isInteger(seconds) || seconds < 5 || seconds > 600) {
    errors.serviceLevel = 'serviceLevelInvalid';
  } else if (target !== DEFAULT_SERVICE_LEVEL.target || seconds !== DEFAULT_SERVICE_LEVEL.seconds) {
    rules.serviceLevelTarget = target;
    rules.serviceLevelSeconds = seconds;
  }
  return { rules, errors };
}
