import { describe, expect, it } from 'vitest';
import { categoryPaths, categoryTree, selfAndDescendants, type Category } from './categories';

const category = (id: string, name: string, parent_id: string | null = null): Category => ({ id, name, parent_id });

describe('categoryTree', () => {
  it('lists parents before children, siblings by name, with depth and path', () => {
    const tree = categoryTree([category('j', 'Juices', 'd'), category('s', 'Snacks'), category('d', 'Drinks'), category('w', 'Water', 'd')]);
    expect(tree.map((node) => [node.path, node.depth])).toEqual([
      ['Drinks', 0],
      ['Drinks › Juices', 1],
      ['Drinks › Water', 1],
      ['Snacks', 0],
    ]);
  });

  it('puts a category with an unknown parent at the top and survives a cycle', () => {
    const tree = categoryTree([category('a', 'A', 'b'), category('b', 'B', 'a'), category('o', 'Orphan', 'gone')]);
    expect(tree.map((node) => node.category.id).sort()).toEqual(['a', 'b', 'o']);
    expect(tree.find((node) => node.category.id === 'o')?.depth).toBe(0);
  });

  it('labels by path and finds what lies inside a category', () => {
    const all = [category('d', 'Drinks'), category('j', 'Juices', 'd'), category('o', 'Orange', 'j'), category('s', 'Snacks')];
    expect(categoryPaths(all).get('o')).toBe('Drinks › Juices › Orange');
    expect([...selfAndDescendants(all, 'd')].sort()).toEqual(['d', 'j', 'o']);
  });
});
