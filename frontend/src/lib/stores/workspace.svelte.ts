// The active number field (W3): filled by typing, and later from contacts, favorites and the
// call history.

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
}

export const workspaceStore = new WorkspaceStore();
