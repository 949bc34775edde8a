// The call an "E-mail" message is about (W12): my call on the switchboard now (the caller I am
// talking to, with the note written on it), else the call on the softphone, else the newest
// call of my history.

import type { MailCall } from '../components/contacts/mailto';
import { historyStore } from './history.svelte';
import { phoneStore } from './phone.svelte';
import { queueStore } from './queue.svelte';
import { session } from './session.svelte';

export function currentMailCall(): MailCall | null {
  // A switchboard line is there for a desk phone too, and keeps the note once the call has left
  // the queue. A consultation's second line is the colleague, not the caller.
  const mine = queueStore.linesOf(session.user?.username ?? '').filter((l) => l.id === l.callId);
  const line = mine.find((l) => l.state === 'active') ?? mine[0];
  if (line) {
    return { callerName: line.name, callerNumber: line.number, note: line.note, time: line.startedAt };
  }
  const live = phoneStore.calls.find((c) => c.state !== 'ended');
  if (live) {
    const qc = live.queueCall ? queueStore.findCall(live.queueCall) : undefined;
    return {
      callerName: live.name || qc?.callerName || '',
      callerNumber: live.number || qc?.callerNumber || '',
      note: qc?.note ?? '',
      time: qc?.enteredAt || live.since,
    };
  }
  const last = historyStore.entries[0];
  if (!last) return null;
  return { callerName: last.callerName ?? '', callerNumber: last.callerNumber, note: last.note ?? '', time: last.started };
}
