// Parts of the UI that are not on the first screen (settings, help, management views) are
// loaded on first use, so that the start-up bundle WebKit parses before its first paint
// stays small.
import { t } from './i18n/index.svelte';
import { errorText, notices } from './stores/notices.svelte';

/** Memoizes a dynamic import; a failed load is reported once and retried on next use. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((err: unknown) => {
      pending = undefined;
      notices.push(t('error.action', { error: errorText(err) }));
      throw err;
    }));
}
