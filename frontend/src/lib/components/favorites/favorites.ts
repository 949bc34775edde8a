// Small pure helpers shared by the favorites components.

import type { FavoriteGroup } from '../../api/types';
import { t } from '../../i18n/index.svelte';

/** A group's name as shown: the default group has no name and is called "Favorites". */
export function groupName(g: Pick<FavoriteGroup, 'name'> | null | undefined): string {
  const name = g?.name?.trim();
  return name ? name : t('favorites.defaultGroup');
}
