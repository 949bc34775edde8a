// What a "Callback request" opens with: for whom — the contact in the details panel, else the
// transfer target in the active number field; the caller — my call at hand on the switchboard
// (the line I talk to, else my held one), else the softphone's call.
import type { Contact } from '../../api/types';
import type { CallbackDraft } from '../../stores/callbacks.svelte';
import { directoryStore } from '../../stores/directory.svelte';
import { phoneStore } from '../../stores/phone.svelte';
import { queueStore } from '../../stores/queue.svelte';
import { session } from '../../stores/session.svelte';
import { workspaceStore } from '../../stores/workspace.svelte';

/** The number to call a contact back on: work first, then any. */
export function contactNumber(c: Contact): string {
  const phones = (c.phones ?? []).filter((p) => p?.number);
  return (phones.find((p) => p.type === 'work') ?? phones[0])?.number ?? '';
}

export function forContact(c: Contact): Pick<CallbackDraft, 'forId' | 'forName' | 'forNumber'> {
  return { forId: c.id, forName: c.displayName, forNumber: contactNumber(c) };
}

/** The caller of my call at hand, or nothing. */
export function currentCaller(): Pick<CallbackDraft, 'callerName' | 'callerNumber'> {
  // A consultation's second line is the colleague, not the caller.
  const mine = queueStore
    .linesOf(session.user?.username ?? '')
    .filter((l) => l.id === l.callId && l.direction === 'in');
  const line = mine.find((l) => l.state === 'active') ?? mine[0];
  if (line) return { callerName: line.name, callerNumber: line.number };
  const pc = phoneStore.calls.find((c) => c.state === 'active') ?? phoneStore.calls.find((c) => c.state !== 'ended');
  if (pc) return { callerName: pc.name ?? '', callerNumber: pc.number ?? '' };
  return { callerName: '', callerNumber: '' };
}

/** For whom, from what is on screen: the contact shown, else the active number. */
export function currentTarget(): Pick<CallbackDraft, 'forId' | 'forName' | 'forNumber'> {
  const c = directoryStore.selected;
  if (c) return forContact(c);
  return { forId: '', forName: '', forNumber: workspaceStore.transferTarget };
}

/** Everything the dialog can guess, with `over` taking precedence. */
export function draftFromContext(over: Partial<CallbackDraft> = {}): Partial<CallbackDraft> {
  return { ...currentTarget(), ...currentCaller(), ...over };
}
