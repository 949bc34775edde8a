// ↑/↓ between the rows of a list or table, keeping the column: from a row's Pick up button to
// the next row's Pick up button. Rows are whatever matches `rows` inside the container.

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Handles ArrowUp/ArrowDown/Home/End from inside a row; returns true when it moved the focus. */
export function moveBetweenRows(event: KeyboardEvent, rows: string): boolean {
  const keys = ['ArrowUp', 'ArrowDown', 'Home', 'End'];
  if (!keys.includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return false;
  const target = event.target as HTMLElement;
  if (target.matches('input, textarea, select, [contenteditable="true"]')) return false;
  const container = event.currentTarget as HTMLElement;
  const row = target.closest<HTMLElement>(rows);
  if (!row || !container.contains(row)) return false;
  const all = [...container.querySelectorAll<HTMLElement>(rows)];
  const i = all.indexOf(row);
  const j =
    event.key === 'Home' ? 0 : event.key === 'End' ? all.length - 1 : i + (event.key === 'ArrowDown' ? 1 : -1);
  const next = all[j];
  if (!next || next === row) return false;
  const col = [...row.querySelectorAll<HTMLElement>(FOCUSABLE)].indexOf(target);
  const candidates = [...next.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const el = candidates[Math.max(0, col)] ?? candidates[0];
  if (!el) return false;
  event.preventDefault();
  el.focus();
  el.scrollIntoView?.({ block: 'nearest' });
  return true;
}
