import type { Context } from '../context.ts';

type Visibility = (context: Context, id: string) => Promise<boolean>;
const visibilityByType = new Map<string, Visibility>();

/**
 * Each Node type registers who may see an id of it: the same rule as its direct query. `node(id)`
 * answers null for an id the caller may not see, exactly as for one that does not exist.
 */
export function registerNodeVisibility(typename: string, visible: Visibility): void {
  visibilityByType.set(typename, visible);
}

export async function canSeeNode(context: Context, typename: string, id: string): Promise<boolean> {
  const visible = visibilityByType.get(typename);
  return context.viewer !== null && visible !== undefined && (await visible(context, id));
}
