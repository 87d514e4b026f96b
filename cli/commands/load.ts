/**
 * `catrust load FILE --data-dir DIR [--database NAME] [--instance NAME]`: evaluate a program and
 * store one of its instances (the last one by default) durably as a new database of the data
 * directory — one table per entity, its rows committed in one WAL entry, labelled nulls kept.
 * `catrust query --data-dir DIR --database NAME …` then queries it.
 */
import { Store } from '../../store/index.js';
import { loadInstanceIntoStore } from '../../planner/index.js';
import { writeOut } from '../io.js';
import { loadProgram } from '../program.js';
import { pickInstance } from './query.js';

export async function runLoad(
  file: string,
  options: { dataDir: string; database?: string; instance?: string },
): Promise<void> {
  const program = await loadProgram(file);
  const instance = pickInstance(program, file, options.instance);
  const rows = instance.rows();
  const name = options.database ?? instance.name;
  const store = await Store.open(options.dataDir);
  try {
    const database = await store.create(name);
    await loadInstanceIntoStore(database, rows);
  } finally {
    await store.close();
  }
  writeOut(
    `loaded instance ${instance.name} into database ${name} of ${options.dataDir}: ` +
      rows.tables.map((table) => `${table.entity} ${table.rowCount}`).join(', '),
  );
}
