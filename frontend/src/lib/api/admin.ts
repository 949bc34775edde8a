// Management views (L2, A2, A4): user accounts and queues, for administrators. The Go side is
// app/admin.go; the switchboard refuses every call to anyone else.
import { call } from './transport';
import type { Role } from './types';

/** A user account (Go: api.User). Empty `queues` = handles every queue. */
export interface AdminUser {
  username: string;
  name: string;
  role: Role;
  extension: string;
  queues: string[] | null;
}

/** What is saved (Go: api.UserRequest). On update an empty password keeps the current one. */
export interface UserRequest {
  username: string;
  name: string;
  role: Role;
  password?: string;
  extension?: string;
  queues?: string[];
}

/** A stored queue (Go: api.QueueSettings). `attendants`: users assigned to it by name. */
export interface QueueSettings {
  id: string;
  name: string;
  numbers: string[] | null;
  priority: number;
  default: boolean;
  attendants: string[] | null;
}

export interface QueueRequest {
  id: string;
  name: string;
  numbers: string[];
  priority: number;
  default: boolean;
}

/** restartRequired: the stored queues differ from those the switchboard runs with. */
export interface QueueSettingsList {
  queues: QueueSettings[] | null;
  restartRequired: boolean;
}

export interface QueueSaved {
  queue: QueueSettings;
  restartRequired: boolean;
}

export const AdminAPI = {
  users: () => call<AdminUser[]>('Admin', 'Users'),
  createUser: (u: UserRequest) => call<AdminUser>('Admin', 'CreateUser', u),
  updateUser: (u: UserRequest) => call<AdminUser>('Admin', 'UpdateUser', u),
  deleteUser: (username: string) => call<void>('Admin', 'DeleteUser', username),
  queues: () => call<QueueSettingsList>('Admin', 'Queues'),
  createQueue: (q: QueueRequest) => call<QueueSaved>('Admin', 'CreateQueue', q),
  updateQueue: (q: QueueRequest) => call<QueueSaved>('Admin', 'UpdateQueue', q),
  deleteQueue: (id: string) => call<QueueSettingsList>('Admin', 'DeleteQueue', id),
};
export type AdminAPI = typeof AdminAPI;
