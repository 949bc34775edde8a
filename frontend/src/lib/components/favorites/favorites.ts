// Small pure helpers shared by the favorites components.

import type { FavoriteGroup } from '../../api/types';
import { t } from '../../i18n/index.svelte';

/** A group's name as shown: the default group has no name and is called "Favorites". */
export function groupName(g: Pick<FavoriteGroup, 'name'> | null | undefined): string {
  const name = g?.name?.trim();
  return name ? name : t('favorites.defaultGroup');
}

/** The tooltip of a favorite star (F3): the group it toggles, or "choose" when there are several. */
export function starTitle(groups: readonly Pick<FavoriteGroup, 'name'>[], starred: boolean): string {
  if (groups.length !== 1) return t('favorites.starChoose');
  return starred
    ? t('favorites.removeFrom', { group: groupName(groups[0]) })
    : t('favorites.addTo', { group: groupName(groups[0]) });
}
