// The call an "E-mail" message is about (W12): the call on the softphone now, else the newest
// call of my history.

import type { MailCall } from '../components/contacts/mailto';
import { historyStore } from './history.svelte';
import { phoneStore } from './phone.svelte';
import { queueStore } from './queue.svelte';

export function currentMailCall(): MailCall | null {
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
