import { call } from './transport';
import type { FavoriteGroup, FavoriteGroupView } from './types';

export const FavoritesAPI = {
  /** The user's groups with their contacts (a new user gets {id: "default", name: ""}). */
  get: () => call<FavoriteGroupView[] | null>('Favorites', 'Get'),
  /** Replaces all groups; returns them resolved (contacts no longer visible are dropped). */
  save: (groups: FavoriteGroup[]) => call<FavoriteGroupView[] | null>('Favorites', 'Save', groups),
};
export type FavoritesAPI = typeof FavoritesAPI;
