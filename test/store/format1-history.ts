/**
 * The writes behind the record-format-1 WAL fixtures (test/store/fixtures/wal-format1*.ndjson):
 * every kind of column in the binary (base64) encoding, plain columns, updates of many rows,
 * deletes, a compaction (a base with purged rows) and commits after it. The fixtures were
 * written by the format-1 writer (store/ at commit eb5c1b6) running this function; the test
 * runs it again on an in-memory database and compares.
 *
 * To write them again: `git archive eb5c1b6 store common | tar -x -C .tmp/old`, then, under
 * tsx, create databases `plain` and `sealed` (passphrase `format-1`, Argon2id costs
 * { memoryKiB: 64, iterations: 1 }) with that store, run `format1History(db, schema, () =>
 * db.compact())` on each, close, and copy their `wal.ndjson` to the fixtures.
 */
import type {
  Database,
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  TableDefinition,
  tableDefinition,
} from '../../store/index.js';

/** The schema helpers, passed in (the fixtures' generator passed the format-1 writer's). */
interface Schema {
  readonly scalarColumn: typeof scalarColumn;
  readonly foreignKeyColumn: typeof foreignKeyColumn;
  readonly tableDefinition: typeof tableDefinition;
  readonly labelledNull: typeof labelledNull;
}

export function format1Tables(schema: Schema): TableDefinition[] {
  const { scalarColumn, foreignKeyColumn, tableDefinition } = schema;
  return [
    tableDefinition('Dept', [scalarColumn('name', 'String', { notNull: true })]),
    tableDefinition('Emp', [
      scalarColumn('name', 'String', { notNull: true }),
      scalarColumn('salary', 'Int'),
      scalarColumn('rate', 'Float'),
      scalarColumn('hired', 'Date'),
      scalarColumn('active', 'Bool'),
      scalarColumn('id', 'Uuid'),
      scalarColumn('bonus', 'Decimal'),
      foreignKeyColumn('dept', 'Dept', { notNull: true }),
    ]),
  ];
}

/** The history; `compact` is called between its two halves (undefined: in memory, skipped). */
export async function format1History(
  database: Database,
  schema: Schema,
  compact: () => Promise<unknown>,
): Promise<void> {
  const { labelledNull } = schema;
  await database.createTables(format1Tables(schema));
  await database.insertRows(
    'Dept',
    Array.from({ length: 40 }, (_, index) => ({ name: `dept-${index % 7}` })),
  );
  await database.insertRows(
    'Emp',
    Array.from({ length: 100 }, (_, index) => ({
      name: `e${index % 13}`,
      salary: index % 9 === 0 ? labelledNull(`e${index}.salary`) : index === 5 ? 2n ** 62n : index,
      rate: index % 4 === 0 ? null : index / 8,
      hired: index % 5 === 0 ? null : index - 50,
      active: index % 3 === 0 ? null : index % 2 === 0,
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      bonus: index % 6 === 0 ? null : `${index}.25`,
      dept: index % 40,
    })),
  );
  await database.delete('Emp', [1, 3]);
  await compact();
  const columns = await database.begin();
  columns.appendColumns('Emp', {
    name: { codes: new Uint32Array(64).map((_, index) => index % 3), dictionary: ['x', 'y', 'z'] },
    salary: new Float64Array(64).map((_, index) => index * 1000),
    dept: new Uint32Array(64).map((_, index) => index % 40),
  });
  columns.update(
    'Emp',
    Array.from({ length: 50 }, (_, index) => index * 2),
    { rate: 0.5 },
  );
  columns.delete('Emp', [11, 150]);
  await columns.commit();
  await database.update('Emp', 7, { name: 'renamed', salary: labelledNull('renamed.salary') });
  await database.delete('Dept', 39, { cascade: true });
  await database.insertRows(
    'Emp',
    Array.from({ length: 33 }, (_, index) => ({
      name: `after${index}`,
      dept: index,
      salary: -index,
    })),
  );
  await database.delete('Emp', [100, 101]);
}
