// Server validation messages name the field they are about ("password must have…",
// "number 200 is already routed…", "user bob already exists"): put them next to that field.

const ALIASES: Record<string, string> = { user: 'username', queue: 'id', numbers: 'number' };

/** The form field a switchboard message is about, among `fields`; null for a general one. */
export function fieldOf(message: string, fields: readonly string[]): string | null {
  const first = message.trim().split(/[\s:]/, 1)[0]?.toLowerCase() ?? '';
  const field = ALIASES[first] ?? first;
  return fields.includes(field) ? field : null;
}

/** Splits "200, 201 300" into ["200", "201", "300"]. */
export function splitNumbers(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
