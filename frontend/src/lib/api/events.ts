export { on, BRIDGE_STATE_EVENT } from './transport';
export type { BridgeState, EventCallback } from './transport';
