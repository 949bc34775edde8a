// The one list of keyboard actions (S5) with their default keys, and the pure logic around
// bindings: a user's remapping is stored as overrides of the defaults only, so a default added
// in a later version reaches users who never touched that action.

import { normalizeCombo, reservedReason } from './keys';

export const ACTION_IDS = [
  // calls
  'answer',
  'reject',
  'hangup',
  'hold',
  'mute',
  'transfer',
  'consult',
  'swap',
  'complete',
  'park',
  'callback',
  'call',
  // navigation
  'focusSearch',
  'focusNumber',
  'nextPanel',
  'prevPanel',
  'focusQueue',
  'focusWorkspace',
  'focusOverview',
  'focusFavorites',
  'focusContacts',
  'focusDetails',
  // general
  'availability',
  'settings',
  'wallboard',
  'help',
] as const;

export type ActionId = (typeof ACTION_IDS)[number];
export type ActionGroup = 'calls' | 'navigation' | 'general';

export interface ActionDef {
  id: ActionId;
  group: ActionGroup;
  /** Default keys, canonical (see keys.ts); the first one is shown in tooltips. */
  keys: readonly string[];
}

/**
 * Call actions sit on function keys, which work even while the cursor is in the search or
 * number field, where attendants spend the day; rarer ones use Alt.
 */
export const ACTIONS: readonly ActionDef[] = [
  { id: 'answer', group: 'calls', keys: ['F2'] },
  { id: 'reject', group: 'calls', keys: ['F3'] },
  { id: 'hangup', group: 'calls', keys: ['F4'] },
  { id: 'hold', group: 'calls', keys: ['F6'] },
  { id: 'mute', group: 'calls', keys: ['F7'] },
  { id: 'transfer', group: 'calls', keys: ['F8'] },
  { id: 'consult', group: 'calls', keys: ['F9'] },
  { id: 'swap', group: 'calls', keys: ['Alt+S'] },
  { id: 'complete', group: 'calls', keys: ['F10'] },
  { id: 'park', group: 'calls', keys: ['Alt+P'] },
  { id: 'callback', group: 'calls', keys: ['Alt+C'] },
  { id: 'call', group: 'calls', keys: ['Ctrl+Enter'] },
  { id: 'focusSearch', group: 'navigation', keys: ['Escape'] },
  { id: 'focusNumber', group: 'navigation', keys: ['Alt+N'] },
  { id: 'nextPanel', group: 'navigation', keys: ['Alt+ArrowRight'] },
  { id: 'prevPanel', group: 'navigation', keys: ['Alt+ArrowLeft'] },
  { id: 'focusQueue', group: 'navigation', keys: ['Alt+1'] },
  { id: 'focusWorkspace', group: 'navigation', keys: ['Alt+2'] },
  { id: 'focusOverview', group: 'navigation', keys: ['Alt+3'] },
  { id: 'focusFavorites', group: 'navigation', keys: ['Alt+4'] },
  { id: 'focusContacts', group: 'navigation', keys: ['Alt+5'] },
  { id: 'focusDetails', group: 'navigation', keys: ['Alt+6'] },
  { id: 'availability', group: 'general', keys: ['Alt+A'] },
  { id: 'settings', group: 'general', keys: ['Ctrl+,'] },
  { id: 'wallboard', group: 'general', keys: ['Alt+W'] },
  { id: 'help', group: 'general', keys: ['F1', '?'] },
];

export const GROUPS: readonly ActionGroup[] = ['calls', 'navigation', 'general'];

const BY_ID = new Map(ACTIONS.map((a) => [a.id, a]));

export function isActionId(v: unknown): v is ActionId {
  return typeof v === 'string' && BY_ID.has(v as ActionId);
}

/** Stored remapping: action id → its keys (an empty list unbinds it). Defaults are not stored. */
export type Overrides = Partial<Record<ActionId, string[]>>;
export type Bindings = Record<ActionId, readonly string[]>;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function cleanKeys(keys: unknown): string[] {
  if (!Array.isArray(keys)) return [];
  const out: string[] = [];
  for (const k of keys) {
    const c = normalizeCombo(String(k));
    if (c && !reservedReason(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

/** Keeps known actions and valid combos only, whatever the settings document held. */
export function sanitizeOverrides(raw: unknown): Overrides {
  const out: Overrides = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [id, keys] of Object.entries(raw as Record<string, unknown>)) {
    if (!isActionId(id) || !Array.isArray(keys)) continue;
    const clean = cleanKeys(keys);
    if (!sameKeys(clean, BY_ID.get(id)!.keys)) out[id] = clean;
  }
  return out;
}

/** Every action's effective keys: the override when there is one, else the default. */
export function resolveBindings(overrides: Overrides): Bindings {
  const out = {} as Record<ActionId, readonly string[]>;
  for (const a of ACTIONS) out[a.id] = overrides[a.id] ?? a.keys;
  return out;
}

/**
 * Key → action. When two actions share a key (a conflict the settings refuse, but an old
 * document might hold), the one earlier in ACTIONS wins, so behaviour stays predictable.
 */
export function buildKeymap(bindings: Bindings): Map<string, ActionId> {
  const map = new Map<string, ActionId>();
  for (const a of ACTIONS) {
    for (const k of bindings[a.id]) if (!map.has(k)) map.set(k, a.id);
  }
  return map;
}

/** The action other than `self` already bound to `combo`, or null. */
export function conflictFor(bindings: Bindings, self: ActionId, combo: string): ActionId | null {
  for (const a of ACTIONS) {
    if (a.id !== self && bindings[a.id].includes(combo)) return a.id;
  }
  return null;
}

/** Keys bound to more than one action. */
export function conflicts(bindings: Bindings): { combo: string; actions: ActionId[] }[] {
  const seen = new Map<string, ActionId[]>();
  for (const a of ACTIONS) {
    for (const k of bindings[a.id]) seen.set(k, [...(seen.get(k) ?? []), a.id]);
  }
  return [...seen].filter(([, ids]) => ids.length > 1).map(([combo, actions]) => ({ combo, actions }));
}

/** The overrides after giving `action` these keys (dropped again when equal to the default). */
export function withKeys(overrides: Overrides, action: ActionId, keys: readonly string[]): Overrides {
  const next = { ...overrides };
  const clean = cleanKeys(keys);
  if (sameKeys(clean, BY_ID.get(action)!.keys)) delete next[action];
  else next[action] = clean;
  return next;
}

/** The overrides without `action` (back to its default), or none at all. */
export function withDefault(overrides: Overrides, action?: ActionId): Overrides {
  if (!action) return {};
  const next = { ...overrides };
  delete next[action];
  return next;
}

export function defaultKeys(action: ActionId): readonly string[] {
  return BY_ID.get(action)?.keys ?? [];
}
