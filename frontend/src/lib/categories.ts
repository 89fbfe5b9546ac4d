/**
 * The shop's categories, for every screen that filters, labels or files products by category.
 * One query key, `['categories']`, so a change on the categories screen refreshes the product
 * screens too. Categories nest (`parent_id`); screens show them as a tree, depth first, siblings
 * by name, each with its path ("Drinks › Juices").
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';

export type Category = Schemas['CategoryRead'];

export const categoriesKey = ['categories'] as const;

export function useCategories() {
  return useQuery({ queryKey: categoriesKey, queryFn: () => unwrap(api.GET('/api/v1/categories')), staleTime: 60_000 });
}

export interface CategoryNode {
  category: Category;
  /** 0 for a top-level category. */
  depth: number;
  /** The names from the top down, joined by " › ". */
  path: string;
}

const byName = (a: Category, b: Category) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * Every category once, parents before their children. A category whose parent is unknown is
 * shown at the top level; a cycle (which the server refuses) cannot loop forever.
 */
export function categoryTree(categories: readonly Category[]): CategoryNode[] {
  const known = new Set(categories.map((category) => category.id));
  const children = new Map<string | null, Category[]>();
  for (const category of categories) {
    const parent = category.parent_id && known.has(category.parent_id) ? category.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), category]);
  }
  const ordered: CategoryNode[] = [];
  const visited = new Set<string>();
  const visit = (parent: string | null, depth: number, prefix: string) => {
    for (const category of [...(children.get(parent) ?? [])].sort(byName)) {
      if (visited.has(category.id)) continue;
      visited.add(category.id);
      const path = prefix ? `${prefix} › ${category.name}` : category.name;
      ordered.push({ category, depth, path });
      visit(category.id, depth + 1, path);
    }
  };
  visit(null, 0, '');
  for (const category of [...categories].sort(byName)) {
    if (!visited.has(category.id)) {
      visited.add(category.id);
      ordered.push({ category, depth: 0, path: category.name });
    }
  }
  return ordered;
}

/** Category paths by id, for labelling rows that carry only a `category_id`. */
export function categoryPaths(categories: readonly Category[] | undefined): Map<string, string> {
  return new Map(categoryTree(categories ?? []).map((node) => [node.category.id, node.path]));
}

/** The category and everything inside it: where it may not be moved. */
export function selfAndDescendants(categories: readonly Category[], id: string): Set<string> {
  const inside = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const category of categories) {
      if (category.parent_id && inside.has(category.parent_id) && !inside.has(category.id)) {
        inside.add(category.id);
        grew = true;
      }
    }
  }
  return inside;
}
