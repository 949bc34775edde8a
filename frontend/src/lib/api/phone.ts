import { call } from './transport';
import type { PhoneCall, PhoneState } from './types';

export const PhoneAPI = {
  /** The calls on the built-in softphone (T2). */
  calls: () => call<PhoneCall[] | null>('Phone', 'Calls'),
  /** The registration state, for a front-end that (re)loads mid-session. */
  state: () => call<PhoneState>('Phone', 'State'),
  /** Hang up (W6), or decline while ringing; the switchboard then hangs up the caller. */
  hangup: (id: string) => call<null>('Phone', 'Hangup', id),
  /** Stop (or resume) sending the microphone (W11); the attendant still hears. */
  mute: (on: boolean) => call<null>('Phone', 'Mute', on),
};
export type PhoneAPI = typeof PhoneAPI;
