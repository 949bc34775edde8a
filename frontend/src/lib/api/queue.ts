import { call } from './transport';
import type { QueueSnapshot } from './types';

export const QueueAPI = {
  snapshot: () => call<QueueSnapshot>('Queue', 'Snapshot'),
  /** Direct pickup (Q5): answer a waiting call straight from the queue. */
  pickup: (callId: string) => call<null>('Queue', 'Pickup', callId),
  /** Priority in queue (Q6): the call goes to me as soon as I am available. */
  reserve: (callId: string) => call<null>('Queue', 'Reserve', callId),
  /** Answer a call offered to me (W5). */
  answer: (callId: string) => call<null>('Queue', 'Answer', callId),
  /** Reject a call offered to me (W7): back to the queue, not offered to me again. */
  reject: (callId: string) => call<null>('Queue', 'Reject', callId),
  setNote: (callId: string, note: string) => call<null>('Queue', 'SetNote', callId, note),
};
export type QueueAPI = typeof QueueAPI;
