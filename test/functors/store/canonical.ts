/**
 * A canonical rendering of an instance whose foreign keys are acyclic, invariant under
 * renumbering rows and renaming labelled nulls: each row renders as its attribute cells and the
 * renderings of the rows its foreign keys reach (recursively); a labelled null renders as the
 * sorted list of the places (entity, row rendering, attribute) where it occurs. The instance is
 * the sorted multiset of its rows' renderings, entity by entity. Two isomorphic instances render
 * the same; for the test instances (a few dozen rows), different renderings mean different
 * instances, without the backtracking search's step budget.
 */
import type { SaturatedInstance } from '../../../catalog/index.js';

export function canonicalForm(instance: SaturatedInstance): string {
  const render = (labelText: (label: string) => string): Map<string, string[]> => {
    const memo = new Map<string, string>();
    const row = (entity: string, index: number): string => {
      const key = `${entity}\u0000${index}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      const table = instance.table(entity);
      const parts: string[] = [];
      for (const [name, column] of table.attributes) {
        const label = column.labels[index];
        parts.push(
          `${name}=${label !== undefined ? `?${labelText(label)}` : JSON.stringify(column.values[index] ?? null)}`,
        );
      }
      for (const fk of instance.schema.foreignKeysOf(entity)) {
        parts.push(`${fk.name}->(${row(fk.target, instance.follow(entity, fk.name, index))})`);
      }
      const text = parts.join(',');
      memo.set(key, text);
      return text;
    };
    const result = new Map<string, string[]>();
    for (const table of instance.tables) {
      result.set(
        table.entity,
        Array.from({ length: table.rowCount }, (_, index) => row(table.entity, index)),
      );
    }
    return result;
  };
  const plain = render(() => '');
  const places = new Map<string, string[]>();
  for (const table of instance.tables) {
    const rows = plain.get(table.entity) as string[];
    for (const [name, column] of table.attributes) {
      column.labels.forEach((label, index) => {
        if (label === undefined) return;
        let list = places.get(label);
        if (list === undefined) places.set(label, (list = []));
        list.push(`${table.entity}:${rows[index]}:${name}`);
      });
    }
  }
  const signature = new Map([...places].map(([label, list]) => [label, list.sort().join('|')]));
  const final = render((label) => `[${signature.get(label) ?? ''}]`);
  return [...final]
    .map(([entity, rows]) => `${entity}:\n  ${[...rows].sort().join('\n  ')}`)
    .join('\n');
}
