// What each keyboard action does. Actions act on "the call at hand", chosen as an attendant
// would: the call ringing for me, else my active call that is not on hold, else my only call.
// They go through the same stores as the buttons, so a key and a click behave the same.

import type { Call, Line, PanelId, PhoneCall } from '../api/types';
import { t } from '../i18n/index.svelte';
import { errorText, notices } from '../stores/notices.svelte';
import { phoneStore } from '../stores/phone.svelte';
import { queueStore } from '../stores/queue.svelte';
import { session } from '../stores/session.svelte';
import { settingsStore } from '../stores/settings.svelte';
import { shortcuts } from '../stores/shortcuts.svelte';
import { statsStore } from '../stores/stats.svelte';
import { callbacksStore } from '../stores/callbacks.svelte';
import { draftFromContext } from '../components/callbacks/prefill';
import { workspaceStore } from '../stores/workspace.svelte';
import type { ActionId } from './registry';

export const PANEL_ACTIONS: Partial<Record<ActionId, PanelId>> = {
  focusQueue: 'queue',
  focusWorkspace: 'workspace',
  focusOverview: 'overview',
  focusFavorites: 'favorites',
  focusContacts: 'contacts',
  focusDetails: 'details',
};

function me(): string {
  return session.user?.username ?? '';
}

/** Queue calls offered to me that ring (not yet on my softphone as an active call). */
function ringingOffers(): Call[] {
  return queueStore.offeredTo(me()).filter((c) => {
    const pc = phoneStore.forQueueCall(c.id);
    return !pc || pc.state === 'ringing';
  });
}

/** My active softphone call: the one not on hold first. */
export function activeCall(): PhoneCall | undefined {
  const active = phoneStore.calls.filter((c) => c.state === 'active');
  return active.find((c) => !phoneStore.isHeld(c.queueCall)) ?? active[0];
}

/**
 * The next waiting call in service order that nobody else is being offered or reserved. Each
 * queue's calls are already in service order: only each queue's first candidate is compared.
 */
function nextWaiting(): Call | undefined {
  const user = me();
  let best: { call: Call; priority: number } | undefined;
  for (const q of queueStore.queues) {
    const c = (q.calls ?? []).find(
      (x) => !(x.offeredTo && x.offeredTo !== user) && !(x.reservedBy && x.reservedBy !== user),
    );
    if (c && (!best || ranksBefore(c, q.priority, best.call, best.priority))) best = { call: c, priority: q.priority };
  }
  return best?.call;
}

/**
 * Across queues only (within a queue the switchboard's order is kept): VIP, then the queue's
 * priority, then the call's, then longest waiting — the engine's serviceCmp (Q7).
 */
function ranksBefore(a: Call, qa: number, b: Call, qb: number): boolean {
  if (a.vip !== b.vip) return a.vip;
  if (qa !== qb) return qa > qb;
  if (a.priority !== b.priority) return a.priority > b.priority;
  return Date.parse(a.enteredAt) < Date.parse(b.enteredAt);
}

function say(text: string) {
  notices.push(text, 3000);
}

/** The call Hold, Mute, Transfer, Consult and Park act on. */
interface AtHand {
  /** The switchboard call ("" for a softphone call that did not come from the switchboard). */
  callId: string;
  /** My line on the switchboard, when there is one (W1). */
  line?: Line;
  phone?: PhoneCall;
  held: boolean;
  muted: boolean;
}

/**
 * My call in progress: the switchboard line that is not on hold (the one I talk to), else my
 * only held one; without switchboard lines, the softphone's active call.
 */
function atHand(): AtHand | undefined {
  const lines = queueStore.linesOf(me()).filter((l) => l.state !== 'ringing');
  const line = lines.find((l) => l.state === 'active') ?? lines[0];
  if (line) {
    const phone = line.id === line.callId ? phoneStore.forQueueCall(line.callId) : undefined;
    return { callId: line.callId, line, phone, held: line.state === 'held', muted: phone ? phone.muted : Boolean(line.muted) };
  }
  const pc = activeCall();
  if (pc) return { callId: pc.queueCall, phone: pc, held: phoneStore.isHeld(pc.queueCall), muted: pc.muted };
  return undefined;
}

/** The call at hand, or says why there is none. */
function needCall(): AtHand | undefined {
  const c = atHand();
  if (!c) say(t('shortcuts.noActiveCall'));
  return c;
}

/** The call at hand when it is on the switchboard (only those can be held, transferred…). */
function needSwitchboardCall(): AtHand | undefined {
  const c = needCall();
  if (c && !c.callId) {
    say(t('shortcuts.notOnThisCall'));
    return undefined;
  }
  return c;
}

/** The two lines of my consultation (W9), caller's first, or says there is none. */
function consultation(): Line[] {
  const pair = queueStore
    .linesOf(me())
    .filter((l) => l.peer)
    .sort((a, b) => Number(a.id !== a.callId) - Number(b.id !== b.callId));
  if (pair.length === 0) say(t('shortcuts.noConsultation'));
  return pair;
}

async function answerOrPickNext() {
  const offer = ringingOffers()[0];
  if (offer) return queueStore.answer(offer.id);
  const next = nextWaiting();
  if (next) return queueStore.pickup(next.id);
  say(t('shortcuts.noCallWaiting'));
}

async function reject() {
  const offer = ringingOffers()[0];
  if (offer) return queueStore.reject(offer.id);
  const ringing = phoneStore.calls.find((c) => c.state === 'ringing');
  if (ringing) return phoneStore.hangup(ringing.id);
  say(t('shortcuts.noRingingCall'));
}

/** Hang up (W6): the line I talk to (a consultation's returns me to the caller), else a ringing call. */
async function hangup() {
  const c = atHand();
  if (c?.line) return workspaceStore.hangupLine(c.line.id);
  const pc = c?.phone ?? phoneStore.calls.find((x) => x.state === 'ringing');
  if (!pc) return say(t('shortcuts.noActiveCall'));
  return phoneStore.hangup(pc.id);
}

async function toggleHold() {
  const c = needSwitchboardCall();
  if (!c) return;
  if (c.held) await queueStore.resume(c.callId);
  else await queueStore.hold(c.callId);
  phoneStore.setHeld(c.callId, !c.held);
}

async function toggleMute() {
  const c = needCall();
  if (!c) return;
  if (c.phone) return phoneStore.mute(!c.muted);
  if (c.line) return workspaceStore.muteLine(c.line.id, !c.muted);
}

/** Blind (W8) or consulted (W9) transfer to the active number field. */
async function transfer(consult: boolean) {
  const c = needSwitchboardCall();
  if (!c) return;
  const target = workspaceStore.transferTarget;
  if (!target) return say(t('shortcuts.noTarget'));
  if (consult) return workspaceStore.consult(c.callId);
  return queueStore.transfer(c.callId, target, workspaceStore.safeTransfer);
}

async function swap() {
  const pair = consultation();
  if (pair.length === 0) return;
  // Talk to the party on hold: the one I talk to now goes on hold.
  const other = pair.find((l) => l.state === 'held') ?? pair[pair.length - 1];
  return workspaceStore.swap(other.id);
}

async function complete() {
  const pair = consultation();
  if (pair.length > 0) return workspaceStore.complete(pair[0].id);
}

async function park() {
  const c = needSwitchboardCall();
  if (c) return workspaceStore.park(c.callId);
}

/** Calls the active number: the workspace's own Call button does it, so both behave alike. */
function callNumber() {
  const form = document.querySelector<HTMLFormElement>('section[data-panel="workspace"] form.dialer');
  if (!form) return;
  form.requestSubmit();
}

// ---- focus ----------------------------------------------------------------------------------

const FOCUSABLE =
  'input:not([disabled]):not([type="hidden"]), button:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]';

function firstFocusable(root: Element | null): HTMLElement | null {
  if (!root) return null;
  for (const el of root.querySelectorAll<HTMLElement>(FOCUSABLE)) {
    if (el.closest('[hidden]') || el.getClientRects().length === 0) continue;
    return el;
  }
  return null;
}

/** Focuses a panel: its first control (the search, the number field, the first row…). */
export async function focusPanel(id: PanelId) {
  if (settingsStore.isCollapsed(id)) await settingsStore.toggleCollapsed(id);
  const section = document.querySelector(`section[data-panel="${id}"]`);
  if (!section) return;
  const el = firstFocusable(section.querySelector('.panel-body')) ?? firstFocusable(section.querySelector('header'));
  el?.focus();
}

function movePanel(delta: 1 | -1) {
  const order = settingsStore.value.panelOrder as PanelId[];
  const current = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('section[data-panel]')?.dataset
    .panel as PanelId | undefined;
  const i = current ? order.indexOf(current) : -1;
  const j = i < 0 ? (delta > 0 ? 0 : order.length - 1) : (i + delta + order.length) % order.length;
  return focusPanel(order[j]);
}

function focusSearch() {
  const search = document.getElementById('contacts-search');
  if (search && search !== document.activeElement) search.focus();
  else if (!search) return focusPanel('contacts');
}

function focusNumber() {
  const field = document.getElementById('active-number') as HTMLInputElement | null;
  if (!field) return focusPanel('workspace');
  field.focus();
  field.select();
}

export interface ActionHooks {
  openSettings: () => void;
}

/** Runs an action; a failure is shown as a notice, as for a click. */
export async function runAction(action: ActionId, hooks: ActionHooks): Promise<void> {
  try {
    await dispatch(action, hooks);
  } catch (err) {
    notices.push(t('error.action', { error: errorText(err) }));
  }
}

async function dispatch(action: ActionId, hooks: ActionHooks): Promise<unknown> {
  const telephony = session.user?.telephony ?? false;
  const panel = PANEL_ACTIONS[action];
  if (panel) return focusPanel(panel);
  switch (action) {
    case 'answer':
    case 'reject':
    case 'hangup':
    case 'hold':
    case 'mute':
    case 'transfer':
    case 'consult':
    case 'swap':
    case 'complete':
    case 'park':
    case 'call':
      if (!telephony) return say(t('workspace.noTelephony'));
      break;
  }
  switch (action) {
    case 'answer':
      return answerOrPickNext();
    case 'reject':
      return reject();
    case 'hangup':
      return hangup();
    case 'hold':
      return toggleHold();
    case 'mute':
      return toggleMute();
    case 'transfer':
      return transfer(false);
    case 'consult':
      return transfer(true);
    case 'swap':
      return swap();
    case 'complete':
      return complete();
    case 'park':
      return park();
    case 'call':
      return callNumber();
    case 'focusSearch':
      return focusSearch();
    case 'focusNumber':
      return focusNumber();
    case 'nextPanel':
      return movePanel(1);
    case 'prevPanel':
      return movePanel(-1);
    case 'availability':
      return session.setAvailable(!session.available);
    case 'settings':
      return hooks.openSettings();
    case 'wallboard':
      statsStore.wallboardOpen = !statsStore.wallboardOpen;
      return;
    case 'help':
      shortcuts.helpOpen = true;
      return;
    case 'callback':
      // W15: for the contact shown (or the active number), about my call at hand.
      callbacksStore.openDialog(draftFromContext());
      return;
  }
}

/** Enter on a contact (S5): its number goes to the active field, then call or transfer it. */
export async function enterOnContact(number: string): Promise<void> {
  if (!number) return;
  workspaceStore.setNumber(number);
  if (!(session.user?.telephony ?? false)) return;
  const call = atHand();
  try {
    if (shortcuts.enterAction === 'transfer' && call?.callId) {
      await queueStore.transfer(call.callId, workspaceStore.transferTarget, workspaceStore.safeTransfer);
    } else {
      callNumber();
    }
  } catch (err) {
    notices.push(t('error.action', { error: errorText(err) }));
  }
}

/**
 * The call a contact's number menu (C9) can transfer: my call at hand when it is on the
 * switchboard and no consultation is going on; `consult` when it can also be consulted (a line).
 */
export function transferableCall(): { callId: string; consult: boolean } | null {
  const c = atHand();
  if (!c?.callId || queueStore.linesOf(me()).some((l) => l.peer)) return null;
  return { callId: c.callId, consult: Boolean(c.line) };
}

/** The id of the call the Answer key would pick up when nothing rings for me (for its tooltip). */
export function nextCallId(): string {
  return ringingOffers().length > 0 ? '' : (nextWaiting()?.id ?? '');
}
