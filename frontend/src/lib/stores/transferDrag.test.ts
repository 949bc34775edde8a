import { describe, expect, it, vi } from 'vitest';
import type { Contact } from '../api/types';
import { CALL_DRAG_TYPE, TransferDragStore, transferNumber } from './transferDrag.svelte';

function contact(phones: Contact['phones']): Contact {
  return { id: 'c1', displayName: 'Hélène Dubois', phones, visibility: 'public', source: 'local' } as Contact;
}

/** A DataTransfer as the browser hands it to dragstart and drop. */
function dataTransfer() {
  const data = new Map<string, string>();
  return {
    setData: (t: string, v: string) => data.set(t, v),
    getData: (t: string) => data.get(t) ?? '',
    get types() {
      return [...data.keys()];
    },
    effectAllowed: '',
    dropEffect: '',
  };
}

describe('drag-to-transfer (W8, C9)', () => {
  it('transfers to the extension first, else the first work number', () => {
    expect(transferNumber(contact([{ type: 'mobile', number: '0611' }, { type: 'extension', number: '204' }]))).toBe('204');
    expect(transferNumber(contact([{ type: 'mobile', number: '0611' }, { type: 'work', number: '0142' }]))).toBe('0142');
    expect(transferNumber(contact([]))).toBe('');
  });

  it('a dropped call is blind-transferred with the safe setting, and the drag ends', async () => {
    const transfer = vi.fn().mockResolvedValue(null);
    const notify = vi.fn();
    const s = new TransferDragStore({ transfer, safe: () => true, notify });
    const dt = dataTransfer();
    s.begin({ dataTransfer: dt } as unknown as DragEvent, 'q1', 'Jean Martin');
    expect(dt.types).toContain(CALL_DRAG_TYPE);
    expect(s.carriesCall({ dataTransfer: dt } as unknown as DragEvent)).toBe(true);
    const ok = await s.drop({ dataTransfer: dt } as unknown as DragEvent, contact([{ type: 'extension', number: '204' }]));
    expect(ok).toBe(true);
    expect(transfer).toHaveBeenCalledWith('q1', '204', true);
    expect(s.callId).toBe('');
    expect(notify).not.toHaveBeenCalled();
  });

  it('says why when the contact has no number or the transfer fails', async () => {
    const transfer = vi.fn().mockRejectedValue(new Error('transfer target unreachable'));
    const notify = vi.fn();
    const s = new TransferDragStore({ transfer, safe: () => false, notify });
    const dt = dataTransfer();
    s.begin({ dataTransfer: dt } as unknown as DragEvent, 'q1', 'Jean');
    expect(await s.drop({ dataTransfer: dt } as unknown as DragEvent, contact([]))).toBe(false);
    expect(transfer).not.toHaveBeenCalled();
    s.begin({ dataTransfer: dt } as unknown as DragEvent, 'q1', 'Jean');
    expect(await s.drop({ dataTransfer: dt } as unknown as DragEvent, contact([{ type: 'work', number: '0142' }]))).toBe(false);
    expect(notify.mock.calls.at(-1)?.[0]).toContain('transfer target unreachable');
  });

  it('ignores drags that carry no call (text, files)', () => {
    const s = new TransferDragStore({ transfer: vi.fn(), safe: () => false, notify: vi.fn() });
    const dt = dataTransfer();
    dt.setData('text/plain', 'hello');
    expect(s.carriesCall({ dataTransfer: dt } as unknown as DragEvent)).toBe(false);
  });
});
