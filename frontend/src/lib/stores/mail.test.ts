// W12: the e-mail template is about the call I am on — also on a desk phone, and with the note
// written on it after it left the queue.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Line, PhoneCall } from '../api/types';
import { currentMailCall } from './mail.svelte';
import { phoneStore } from './phone.svelte';
import { queueStore } from './queue.svelte';
import { session } from './session.svelte';
import { lineUpdated as line, sbLine as anyLine } from './testing';

const sbLine = (id: string, extra: Partial<Line> = {}) => anyLine(id, { startedAt: '2026-11-26T09:15:00Z', ...extra });

beforeEach(() => {
  session.user = { username: 'sophie', name: 'Sophie', role: 'attendant', extension: '201', telephony: true };
  queueStore.applySnapshot({ seq: 0, queues: [{ id: 'q1', name: 'Reception', priority: 1, calls: [] }], attendants: [] });
});
afterEach(() => {
  phoneStore.stop();
  queueStore.stop();
  session.user = null;
});

describe('currentMailCall', () => {
  it('is the answered call on the softphone, with the note written on its line', () => {
    const pc: PhoneCall = {
      id: 'sip-1',
      queueCall: 'c-1',
      name: 'Hélène Dubois',
      number: '+3225550100',
      state: 'active',
      autoAnswer: false,
      muted: false,
      since: '2026-11-26T09:15:02Z',
    };
    phoneStore.handleCall(pc);
    line(sbLine('c-1', { note: 'Wants the March invoice' }));
    expect(currentMailCall()).toEqual({
      callerName: 'Hélène Dubois',
      callerNumber: '+3225550100',
      note: 'Wants the March invoice',
      time: '2026-11-26T09:15:00Z',
    });
  });

  it('is the caller on a desk phone, not the colleague consulted, nor someone else\'s call', () => {
    line(sbLine('c-9', { attendant: 'marc', name: 'Other caller' }));
    line(sbLine('c-2', { state: 'held', peer: 'c-2.consult', note: 'urgent' }));
    line(sbLine('c-2.consult', { callId: 'c-2', direction: 'out', name: 'Jan Peeters', number: '204', peer: 'c-2' }));
    expect(currentMailCall()).toMatchObject({ callerName: 'Hélène Dubois', note: 'urgent' });
  });

  it('is null with no call and no history', () => {
    expect(currentMailCall()).toBeNull();
  });
});
