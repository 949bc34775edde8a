// Server validation messages name the field they are about ("password must have…",
// "number 200 is already routed…", "user bob already exists"): put them next to that field.

const ALIASES: Record<string, string> = { user: 'username', queue: 'id', numbers: 'number' };

/** A queue's rules (Q9): "rules: whenClosed …" is about the night-service fields, and so on. */
const RULE_FIELDS: Record<string, string> = {
  whenclosed: 'closedTarget',
  closedtarget: 'closedTarget',
  overflowafter: 'overflow',
  overflowtarget: 'overflow',
  noattendanttarget: 'noAttendantTarget',
  emergencytarget: 'emergencyTarget',
  hours: 'hours',
  servicelevelseconds: 'serviceLevel',
  serviceleveltarget: 'serviceLevel',
};

/** The form field a switchboard message is about, among `fields`; null for a general one. */
export function fieldOf(message: string, fields: readonly string[]): string | null {
  let text = message.trim();
  let first = text.split(/[\s:]/, 1)[0]?.toLowerCase() ?? '';
  if (first === 'rules') {
    text = text.slice('rules:'.length).trim();
    first = text.split(/[\s:]/, 1)[0]?.toLowerCase() ?? '';
    const f = RULE_FIELDS[first];
    return f && fields.includes(f) ? f : fields.includes('rules') ? 'rules' : null;
  }
  const field = ALIASES[first] ?? first;
  return fields.includes(field) ? field : null;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** "8:00" → "08:00"; null if not a time. "24:00" only as an end. */
function time(s: string, end: boolean): string | null {
  const m = /^(\d{1,2})[:.h](\d{2})$/.exec(s.trim());
  if (!m) return null;
  const v = `${m[1].padStart(2, '0')}:${m[2]}`;
  if (end && v === '24:00') return v;
  return HHMM.test(v) ? v : null;
}

/**
 * Parses a day's opening hours as typed, "08:00-12:00, 13:00-18:00" ("" = closed all day), into
 * ranges in order; null when a range is not "HH:MM-HH:MM", ends before it starts or overlaps.
 */
export function parseRanges(text: string): { from: string; to: string }[] | null {
  const out: { from: string; to: string }[] = [];
  for (const part of text.split(/[,;]+/).map((p) => p.trim()).filter(Boolean)) {
    const [a, b, extra] = part.split(/\s*[-–]\s*/);
    if (extra !== undefined || b === undefined) return null;
    const from = time(a, false);
    const to = time(b, true);
    if (!from || !to || to <= from) return null;
    if (out.length && from < out[out.length - 1].to) return null;
    out.push({ from, to });
  }
  return out;
}

/** The inverse of parseRanges. */
export function formatRanges(ranges: { from: string; to: string }[] | undefined | null): string {
  return (ranges ?? []).map((r) => `${r.from}–${r.to}`).join(', ');
}

/** Splits "2026-12-25, 2027-01-01" into dates; null if one is not YYYY-MM-DD. */
export function parseDates(text: string): string[] | null {
  const dates = splitNumbers(text);
  return dates.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d))) ? dates : null;
}

/** Splits "200, 201 300" into ["200", "201", "300"]. */
export function splitNumbers(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
