import { call } from './transport';
import type { LoginRequest, SessionConfig, SessionInfo } from './types';

export const SessionAPI = {
  config: () => call<SessionConfig>('Session', 'Config'),
  login: (req: LoginRequest) => call<SessionInfo>('Session', 'Login', req),
  logout: () => call<null>('Session', 'Logout'),
  current: () => call<SessionInfo | null>('Session', 'Current'),
};
export type SessionAPI = typeof SessionAPI;
