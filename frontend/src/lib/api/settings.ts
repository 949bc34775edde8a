import { call } from './transport';
import type { Settings } from './types';

export const SettingsAPI = {
  get: () => call<Settings>('Settings', 'Get'),
  save: (settings: Settings) => call<null>('Settings', 'Save', settings),
};
export type SettingsAPI = typeof SettingsAPI;
