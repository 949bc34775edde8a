// The switchboard's reasons for an ended line or a history entry ("busy", "not found",
// "attendant went offline"…) are stable codes; they are shown in the attendant's language.
// A reason that has no translation (an older record, a SIP status such as "407 Proxy
// Authentication Required") is shown as it was stored.
import { t, type MessageKey } from '../i18n/index.svelte';

const REASONS: Record<string, string> = {
  busy: 'busy',
  declined: 'declined',
  'not found': 'notFound',
  unavailable: 'unavailable',
  unreachable: 'unreachable',
  'no answer': 'noAnswer',
  timeout: 'timeout',
  'target hung up': 'targetHungUp',
  'your phone did not answer': 'phoneNoAnswer',
  error: 'error',
  'codec mismatch': 'codecMismatch',
  'caller hung up': 'callerHungUp',
  'caller hung up during transfer': 'callerHungUpTransfer',
  'caller hung up during consultation': 'callerHungUpConsult',
  'attendant went offline': 'attendantOffline',
  'attendant left with the call on hold': 'attendantLeftHeld',
  'while parked': 'whileParked',
  'switchboard shutdown': 'shutdown',
  consulted: 'consulted',
};

/** reason in the current language; unknown reasons as they are. */
export function reasonText(reason: string): string {
  const key = REASONS[reason];
  return key ? t(`workspace.reason.${key}` as MessageKey) : reason;
}
