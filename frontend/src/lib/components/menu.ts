/**
 * Keyboard and placement shared by the console's menus and popups (avatar
 * menu, a contact's More menu, the star and field pickers), so they all
 * behave the same way (WAI-ARIA menu pattern).
 */

/**
 * Moves the focus through items for ArrowDown/ArrowUp (wrapping), Home and
 * End. Returns true when it handled the key, so the caller can stop it.
 */
export function roveFocus(event: KeyboardEvent, items: HTMLElement[]): boolean {
  const i = items.indexOf(document.activeElement as HTMLElement);
  let j: number;
  switch (event.key) {
    case 'ArrowDown':
      j = (i + 1) % items.length;
      break;
    case 'ArrowUp':
      j = (i - 1 + items.length) % items.length;
      break;
    case 'Home':
      j = 0;
      break;
    case 'End':
      j = items.length - 1;
      break;
    default:
      return false;
  }
  event.preventDefault();
  items[j]?.focus();
  return true;
}

/**
 * Where to put a floating element of the given size next to anchor: right-
 * aligned below it, above it when there is no room below, always on screen.
 */
export function placeNear(anchor: Element, width: number, height: number): { top: number; left: number } {
  const r = anchor.getBoundingClientRect();
  const left = Math.max(4, Math.min(r.right - width, window.innerWidth - width - 4));
  const top = r.bottom + 4 + height > window.innerHeight ? Math.max(4, r.top - height - 4) : r.bottom + 4;
  return { top, left };
}
