import { call } from './transport';
import type { DeviceSettings, SoundDevice } from './types';

export const DevicesAPI = {
  list: () => call<SoundDevice[]>('Devices', 'List'),
  ringtones: () => call<string[]>('Devices', 'Ringtones'),
  get: () => call<DeviceSettings>('Devices', 'Get'),
  save: (d: DeviceSettings) => call<null>('Devices', 'Save', d),
  testTone: (device: string) => call<null>('Devices', 'TestTone', device),
  playRingtone: (device: string, ringtone: string) => call<null>('Devices', 'PlayRingtone', device, ringtone),
  micLevel: (device: string) => call<number>('Devices', 'MicLevel', device),
};
export type DevicesAPI = typeof DevicesAPI;
