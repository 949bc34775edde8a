// Transient error notices ("Action failed: …") shown at the bottom of the main screen.

export interface Notice {
  id: number;
  text: string;
}

export class NoticeStore {
  items = $state<Notice[]>([]);
  #next = 1;

  push(text: string, ttlMs = 6000): number {
    const id = this.#next++;
    this.items.push({ id, text });
    if (ttlMs > 0) setTimeout(() => this.dismiss(id), ttlMs);
    return id;
  }

  dismiss(id: number) {
    this.items = this.items.filter((n) => n.id !== id);
  }

  clear() {
    this.items = [];
  }
}

export const notices = new NoticeStore();

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
