import { call } from './transport';

/**
 * Call control on the switchboard's lines (app.Calls): it acts on the switchboard, so it works
 * the same whether the attendant talks on the built-in softphone or a desk phone. `lineId` is a
 * Line id: the call's own id, or "<callId>.consult" for a consultation.
 */
export const CallsAPI = {
  /** Consulted transfer (W9): the caller hears music while the switchboard calls `target`. */
  consult: (callId: string, target: string) => call<null>('Calls', 'Consult', callId, target),
  /** Toggle between the caller and the consulted target (W9); the other hears music. */
  swap: (lineId: string) => call<null>('Calls', 'Swap', lineId),
  /** Join the caller and the consulted target; this attendant is freed (W9). */
  complete: (lineId: string) => call<null>('Calls', 'Complete', lineId),
  /** Hang up the consulted target; back to the caller (W9). */
  cancelConsult: (lineId: string) => call<null>('Calls', 'CancelConsult', lineId),
  /** Park (O1): the caller hears music; any attendant can retrieve it. */
  park: (callId: string) => call<null>('Calls', 'Park', callId),
  /** Retrieve a parked call onto my phone (O1). */
  retrieve: (callId: string) => call<null>('Calls', 'Retrieve', callId),
  /** Hang up a line on the switchboard (W6); on a consultation line, back to the caller. */
  hangup: (lineId: string) => call<null>('Calls', 'Hangup', lineId),
  /** Outgoing call (W4): my phone rings first, then `target`. Resolves to the new line's id. */
  dial: (target: string) => call<string>('Calls', 'Dial', target),
  /** Mute me towards the caller on the switchboard (W11), for desk phones. */
  mute: (lineId: string, on: boolean) => call<null>('Calls', 'Mute', lineId, on),
};
export type CallsAPI = typeof CallsAPI;
