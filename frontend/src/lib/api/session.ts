import { call } from './transport';
import type { ConnectionState, LoginRequest, SessionConfig, SessionInfo } from './types';

export const SessionAPI = {
  config: () => call<SessionConfig>('Session', 'Config'),
  login: (req: LoginRequest) => call<SessionInfo>('Session', 'Login', req),
  logout: () => call<null>('Session', 'Logout'),
  current: () => call<SessionInfo | null>('Session', 'Current'),
  /** Logs in with the remembered credentials (from the local cache first); null if none. */
  restore: () => call<SessionInfo | null>('Session', 'Restore'),
  connection: () => call<ConnectionState>('Session', 'Connection'),
  /** Tells the Go side the first screen is painted (logged; benchmarks time it). */
  ready: (phase: 'login' | 'main', marks: Record<string, number>) => call<null>('Session', 'Ready', phase, marks),
};
export type SessionAPI = typeof SessionAPI;
