// The active number field (W3): filled by typing, and later from contacts, favorites and the
// call history; and the call control that acts on the switchboard's lines (W6, W9, W11, O1).
// The lines themselves are in the queue store (queueStore.lines), mirrored from the switchboard.

import { CallsAPI } from '../api/calls';

export class WorkspaceStore {
  activeNumber = $state('');
  /** Safe transfer (W14): a failed blind transfer comes back to me as a recall. On by default. */
  safeTransfer = $state(true);

  /** The transfer target (W8): whatever the active field holds, trimmed (a number, extension, user or sip: URI). */
  transferTarget = $derived(this.activeNumber.trim());

  /** True when the active field holds something dialable (W4). */
  hasNumber = $derived(/\d/.test(this.activeNumber) && /^[\d\s+()*#./-]+$/.test(this.activeNumber.trim()));

  setNumber(n: string) {
    this.activeNumber = n;
  }

  clear() {
    this.activeNumber = '';
  }

  #api: CallsAPI;

  constructor(api: CallsAPI = CallsAPI) {
    this.#api = api;
  }

  /** Outgoing call (W4) to the active number: my phone rings first, then the number. */
  dial() {
    const target = this.activeNumber.trim();
    if (!target) return Promise.resolve('');
    return this.#api.dial(target);
  }
  /** Consulted transfer (W9) to the active field: the caller hears music, a second line opens. */
  consult(callId: string) {
    const target = this.transferTarget;
    if (!target) return Promise.resolve(null);
    return this.#api.consult(callId, target);
  }
  /** Talk to the other party of the consultation (W9). */
  swap(lineId: string) {
    return this.#api.swap(lineId);
  }
  /** Join the caller and the consulted target; I am free (W9). */
  complete(lineId: string) {
    return this.#api.complete(lineId);
  }
  /** Park the call for anyone to retrieve (O1). */
  park(callId: string) {
    return this.#api.park(callId);
  }
  /** Retrieve a parked call onto my phone (O1). */
  retrieve(callId: string) {
    return this.#api.retrieve(callId);
  }
  /** Hang up a switchboard line (W6); a consultation's returns me to the caller. */
  hangupLine(lineId: string) {
    return this.#api.hangup(lineId);
  }
  /** Mute me on the switchboard (W11), when the microphone is not the softphone's. */
  muteLine(lineId: string, on: boolean) {
    return this.#api.mute(lineId, on);
  }
}

export const workspaceStore = new WorkspaceStore();
