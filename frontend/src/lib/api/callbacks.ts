// Callback requests (W15): taken when the person asked for cannot answer, e-mailed to them when
// the switchboard has a mail server and they have an address, tracked until done. The mail
// server is set in Settings → Mail (administrators).
import { call } from './transport';

/** Pushed for every created, done, reopened or delivered request, by anyone. */
export const CALLBACKS_EVENT = 'callbacks:changed';

export type CallbackStatus = 'open' | 'done';
export type CallbackDelivery = 'sent' | 'failed' | 'none';

export interface Callback {
  id: string;
  /** RFC 3339. */
  createdAt: string;
  createdBy: string;
  createdByName: string;
  /** The directory contact asked for, "" when typed by hand. */
  forId: string;
  forName: string;
  forNumber: string;
  callerName: string;
  callerNumber: string;
  message: string;
  status: CallbackStatus;
  doneAt: string | null;
  doneBy: string;
  doneByName: string;
  delivery: CallbackDelivery;
  deliveredTo: string;
  deliveryError: string;
}

/** A new request: forName unless forId; callerNumber or callerName; message ≤ 2000 characters. */
export interface CallbackRequest {
  forId?: string;
  forName: string;
  forNumber?: string;
  callerName?: string;
  callerNumber: string;
  message?: string;
}

export type MailSecurity = 'starttls' | 'tls' | 'none';

/** The outgoing mail server as the switchboard shows it: never the password. host "" = off. */
export interface MailSettings {
  host: string;
  port: number;
  from: string;
  username: string;
  passwordSet: boolean;
  security: MailSecurity;
}

/** What is saved; an empty or missing password keeps the stored one. */
export interface MailSettingsUpdate extends Omit<MailSettings, 'passwordSet'> {
  password?: string;
}

export interface MailTest {
  ok: boolean;
  error: string;
}

/** The longest message the switchboard takes. */
export const MESSAGE_MAX = 2000;

export const CallbacksAPI = {
  /** Open requests and those done in the last 7 days, newest first. */
  list: () => call<Callback[] | null>('Callbacks', 'List'),
  create: (req: CallbackRequest) => call<Callback>('Callbacks', 'Create', req),
  done: (id: string) => call<Callback>('Callbacks', 'Done', id),
  reopen: (id: string) => call<Callback>('Callbacks', 'Reopen', id),
  mailSettings: () => call<MailSettings>('Callbacks', 'MailSettings'),
  saveMailSettings: (s: MailSettingsUpdate) => call<MailSettings>('Callbacks', 'SaveMailSettings', s),
  testMail: (to: string) => call<MailTest>('Callbacks', 'TestMail', to),
};
export type CallbacksAPI = typeof CallbacksAPI;
