// Drag-to-transfer (W8, C9): the active workspace call is dragged onto a contact or favorite row;
// dropping it there is a blind transfer (safe when the workspace's safe transfer is on) to the
// contact's first number, extension first. HTML5 drag and drop; the keyboard way is the
// workspace's Transfer button with the number in the active field.

import type { Contact } from '../api/types';
import { primaryPhones } from '../components/contacts/contact';
import { t } from '../i18n/index.svelte';
import { errorText, notices } from './notices.svelte';
import { queueStore } from './queue.svelte';
import { workspaceStore } from './workspace.svelte';

/** The drag data type of a call; its value is the switchboard call id. */
export const CALL_DRAG_TYPE = 'application/x-concierge-call';

export interface TransferDragDeps {
  transfer: (callId: string, target: string, safe: boolean) => Promise<unknown>;
  safe: () => boolean;
  notify: (text: string) => void;
}

/** The number a dropped call goes to: the contact's extension, else its first work number… */
export function transferNumber(c: Contact): string {
  return primaryPhones(c, 1)[0]?.number ?? '';
}

export class TransferDragStore {
  /** The call being dragged, or "". */
  callId = $state('');

  #deps: TransferDragDeps;

  constructor(deps: Partial<TransferDragDeps> = {}) {
    this.#deps = {
      transfer: deps.transfer ?? ((id, target, safe) => queueStore.transfer(id, target, safe)),
      safe: deps.safe ?? (() => workspaceStore.safeTransfer),
      notify: deps.notify ?? ((text) => notices.push(text)),
    };
  }

  /** dragstart of a workspace line. */
  begin(event: DragEvent, callId: string, label: string) {
    if (!callId || !event.dataTransfer) return;
    event.dataTransfer.setData(CALL_DRAG_TYPE, callId);
    event.dataTransfer.setData('text/plain', label);
    event.dataTransfer.effectAllowed = 'move';
    this.callId = callId;
  }

  /** dragend: dropped or not, the drag is over. */
  end() {
    this.callId = '';
  }

  /** True when a call is being dragged over (this window's drag, or its data type). */
  carriesCall(event: DragEvent): boolean {
    return this.callId !== '' || (event.dataTransfer?.types ?? []).includes(CALL_DRAG_TYPE);
  }

  /** Transfers the dragged call to contact. Never rejects: failures become an error notice. */
  async drop(event: DragEvent, contact: Contact): Promise<boolean> {
    const callId = event.dataTransfer?.getData(CALL_DRAG_TYPE) || this.callId;
    this.end();
    if (!callId) return false;
    const name = contact.displayName || transferNumber(contact);
    const target = transferNumber(contact);
    if (!target) {
      this.#deps.notify(t('transferDrag.noNumber', { name }));
      return false;
    }
    try {
      // Success shows as the call leaving the workspace (and in the history): notices are for errors.
      await this.#deps.transfer(callId, target, this.#deps.safe());
      return true;
    } catch (err) {
      this.#deps.notify(t('error.action', { error: errorText(err) }));
      return false;
    }
  }
}

export const transferDrag = new TransferDragStore();

/** The look of a row a call is dragged over (contact: its name in the tooltip), or back to normal (null). */
function dropHighlight(node: HTMLElement, contact: Contact | null) {
  const on = contact !== null;
  node.classList.toggle('call-drop-over', on);
  node.style.outline = on ? '2px dashed var(--accent, #2563eb)' : '';
  node.style.outlineOffset = on ? '-2px' : '';
  node.style.background = on ? 'var(--accent-soft, rgba(37, 99, 235, 0.1))' : '';
  if (contact) node.title = t('transferDrag.drop', { name: contact.displayName });
  else node.removeAttribute('title');
}

/**
 * Svelte action on a contact or favorite list: every row (an element with `data-person-id`) is a
 * drop target for the dragged call, highlighted while the call is over it. One set of listeners
 * for the list, not four per row. `find` gives the contact of a row (undefined: not a target).
 * Usage: `<ul use:callDropList={(row) => byId(row.dataset.personId)}>`.
 */
export function callDropList(node: HTMLElement, find: (row: HTMLElement) => Contact | undefined) {
  let lookup = find;
  let over: HTMLElement | null = null;
  const rowOf = (e: Event) => (e.target as Element | null)?.closest?.<HTMLElement>('[data-person-id]') ?? null;
  const set = (row: HTMLElement | null, contact: Contact | null) => {
    if (row === over) return;
    if (over) dropHighlight(over, null);
    over = row;
    if (row && contact) dropHighlight(row, contact);
  };
  // dragenter and dragover: the row under the pointer is the target (dragover repeats, so a
  // highlight lost between two rows comes back at once).
  const enter = (e: DragEvent) => {
    if (!transferDrag.carriesCall(e)) return;
    const row = rowOf(e);
    const contact = row && node.contains(row) ? lookup(row) : undefined;
    if (!row || !contact) return set(null, null);
    e.preventDefault(); // allows the drop
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    set(row, contact);
  };
  const leave = (e: DragEvent) => {
    const to = e.relatedTarget as Node | null;
    if (!to || !node.contains(to)) set(null, null);
  };
  const drop = (e: DragEvent) => {
    if (!transferDrag.carriesCall(e)) return;
    const row = rowOf(e);
    const contact = row && node.contains(row) ? lookup(row) : undefined;
    set(null, null);
    if (!contact) return;
    e.preventDefault();
    void transferDrag.drop(e, contact);
  };
  node.addEventListener('dragenter', enter);
  node.addEventListener('dragover', enter);
  node.addEventListener('dragleave', leave);
  node.addEventListener('drop', drop);
  return {
    update(f: (row: HTMLElement) => Contact | undefined) {
      lookup = f;
    },
    destroy() {
      set(null, null);
      node.removeEventListener('dragenter', enter);
      node.removeEventListener('dragover', enter);
      node.removeEventListener('dragleave', leave);
      node.removeEventListener('drop', drop);
    },
  };
}
