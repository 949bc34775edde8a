// Key combos as canonical strings ("F6", "Ctrl+Enter", "Alt+1", "?"), so a binding typed in
// settings, a default and a keydown compare with ===.
//
// Letters are upper-cased and keep an explicit Shift; other printable characters ("?", "+")
// drop Shift, because the layout decides whether Shift is needed to type them (AZERTY or
// QWERTZ users press "?" as they type it).

const MODIFIERS = ['Ctrl', 'Alt', 'Shift', 'Meta'] as const;

/** Keys that are never a shortcut on their own (they only modify one). */
const MODIFIER_KEYS = new Set(['Control', 'Alt', 'Shift', 'Meta', 'AltGraph', 'CapsLock', 'OS', 'Dead', 'Unidentified']);

const ALIASES: Record<string, string> = {
  ' ': 'Space',
  Spacebar: 'Space',
  Esc: 'Escape',
  Up: 'ArrowUp',
  Down: 'ArrowDown',
  Left: 'ArrowLeft',
  Right: 'ArrowRight',
  Del: 'Delete',
};

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  metaKey?: boolean;
}

function normalizeKey(key: string): string {
  const k = ALIASES[key] ?? key;
  return k.length === 1 ? k.toUpperCase() : k;
}

/** True for a single printable character that is not a letter or a digit ("?", "/", "+"). */
function isSymbol(key: string): boolean {
  return key.length === 1 && key !== ' ' && !/[\p{L}\p{N}]/u.test(key);
}

/** The canonical combo of a keydown, or "" for a lone modifier. */
export function comboOf(e: KeyLike): string {
  if (!e.key || MODIFIER_KEYS.has(e.key)) return '';
  const key = normalizeKey(e.key);
  const parts: string[] = [];
  if (e.ctrlKey) parts.push('Ctrl');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey && !isSymbol(e.key)) parts.push('Shift');
  if (e.metaKey) parts.push('Meta');
  parts.push(key);
  return parts.join('+');
}

/** Re-writes a combo typed by hand or stored earlier in canonical form; "" when invalid. */
export function normalizeCombo(combo: string): string {
  if (typeof combo !== 'string') return '';
  const raw = combo.trim();
  if (!raw) return '';
  // "+" alone, or as the key after modifiers ("Ctrl++"), is the plus key.
  const plus = raw === '+' || raw.endsWith('++');
  const parts = (plus ? raw.slice(0, -1) : raw).split('+').filter(Boolean);
  const key = plus ? '+' : parts.pop();
  if (!key) return '';
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  const e: KeyLike = {
    key,
    ctrlKey: mods.has('ctrl') || mods.has('control'),
    altKey: mods.has('alt'),
    shiftKey: mods.has('shift'),
    metaKey: mods.has('meta') || mods.has('cmd'),
  };
  for (const m of mods) {
    if (!['ctrl', 'control', 'alt', 'shift', 'meta', 'cmd'].includes(m)) return '';
  }
  return comboOf(e);
}

/** True when the combo has Ctrl, Alt or Meta, or is a function key: safe while typing. */
export function worksWhileTyping(combo: string): boolean {
  const parts = combo.split('+');
  const key = parts[parts.length - 1];
  return /^F\d{1,2}$/.test(key) || parts.some((p) => p === 'Ctrl' || p === 'Alt' || p === 'Meta');
}

/**
 * Keys the console never lets a user bind alone, because typing, moving through rows and
 * dialogs need them (a bare letter would make the search field unusable).
 */
export function reservedReason(combo: string): 'typing' | 'navigation' | null {
  const parts = combo.split('+');
  const key = parts[parts.length - 1];
  const mods = parts.slice(0, -1);
  const onlyShift = mods.every((m) => m === 'Shift');
  if (!onlyShift) return null;
  if (['Tab', 'Enter', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown', 'Space', 'Backspace', 'Delete'].includes(key)) {
    return 'navigation';
  }
  if (key.length === 1 && /[\p{L}\p{N}]/u.test(key)) return 'typing';
  return null;
}

const SYMBOLS: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Escape: 'Esc',
};

/** Names of keys that differ per language (German keyboards print "Strg", "Entf", …). */
export interface KeyNames {
  Ctrl: string;
  Alt: string;
  Shift: string;
  Meta: string;
  Enter: string;
  Space: string;
  Delete: string;
}

/** How a combo is shown in tooltips and the help ("Ctrl+Enter", "Strg+Eingabe", "↑"). */
export function displayCombo(combo: string, names?: Partial<KeyNames>): string {
  if (!combo) return '';
  const plus = combo === '+' || combo.endsWith('++');
  const parts = (plus ? combo.slice(0, -1) : combo).split('+').filter(Boolean);
  if (plus) parts.push('+');
  return parts
    .map((p) => (names as Record<string, string> | undefined)?.[p] ?? SYMBOLS[p] ?? p)
    .join('+');
}

export { MODIFIERS };
