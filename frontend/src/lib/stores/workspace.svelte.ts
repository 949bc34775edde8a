// The active number field (W3): filled by typing, and later from contacts, favorites and the
// call history.

export class WorkspaceStore {
  activeNumber = $state('');

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
