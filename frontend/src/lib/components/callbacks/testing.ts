// Test helpers for callback requests (W15): a request as the switchboard sends it, and a
// bridge stub that answers bound calls by method and records them.
import { vi } from 'vitest';
import type { Callback } from '../../api/callbacks';

export function callback(over: Partial<Callback> = {}): Callback {
  return {
    id: 'cb-1',
    createdAt: '2026-11-26T09:00:00Z',
    createdBy: 'sophie',
    createdByName: 'Sophie',
    forId: 'c-helene',
    forName: 'Hélène Dubois',
    forNumber: '+3225550100',
    callerName: 'Marc Lenoir',
    callerNumber: '+32470123456',
    message: 'About the invoice',
    status: 'open',
    doneAt: null,
    doneBy: '',
    doneByName: '',
    delivery: 'none',
    deliveredTo: '',
    deliveryError: '',
    ...over,
  };
}

export interface BridgeCall {
  service: string;
  method: string;
  args: unknown[];
}

/** Stubs the browser bridge: `answer` gives each call's JSON body (or throws to fail it). */
export function stubBridge(answer: (c: BridgeCall) => unknown = () => null): BridgeCall[] {
  const calls: BridgeCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const c = JSON.parse(String(init.body)) as BridgeCall;
      calls.push(c);
      try {
        return new Response(JSON.stringify(answer(c) ?? null), { status: 200, headers: { 'Content-Type': 'application/json' } });
      } catch (err) {
        return new Response(JSON.stringify({ error: (err as Error).message }), { status: 400 });
      }
    }),
  );
  return calls;
}
