import { call } from './transport';

export const PresenceAPI = {
  setAvailable: (on: boolean) => call<null>('Presence', 'SetAvailable', on),
};
export type PresenceAPI = typeof PresenceAPI;
