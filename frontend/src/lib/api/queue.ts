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
  /** Hold (W10): the caller hears music on hold; no audio either way. */
  hold: (callId: string) => call<null>('Queue', 'Hold', callId),
  /** Resume a held call (W10). */
  resume: (callId: string) => call<null>('Queue', 'Resume', callId),
  /**
   * Blind transfer (W8) to a username, extension, number or sip: URI. The attendant's leg ends
   * at once (the softphone call then ends by itself). `safe` (W14): when the target does not
   * answer in time, is busy or fails, the call comes back to this attendant as a recall.
   */
  transfer: (callId: string, target: string, safe: boolean) =>
    call<null>('Queue', 'Transfer', callId, target, safe),
};
export type QueueAPI = typeof QueueAPI;
