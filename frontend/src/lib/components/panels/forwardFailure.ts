// The note on a queue row whose forward failed (Q9): "Forward to 0612… failed (busy)", the
// switchboard's reason in the attendant's language (the same codes as ended lines and history).
import type { ForwardFailure } from '../../api/types';
import { t } from '../../i18n/index.svelte';
import { reasonText } from '../reasons';

export function forwardFailureText(f: ForwardFailure): string {
  return t('queue.forwardFailed', { target: f.target, reason: reasonText(f.reason) || reasonText('error') });
}
