/**
 * The JSON export of json-export.ts as text, in pieces: exactly
 * `JSON.stringify({...head, ...exportJson(view)})`, but produced a slice of rows at a time,
 * so a large database is written to a file without its whole export (one object per row, then
 * one string) ever being in memory — V8 cannot even hold a string past about 512 MiB.
 */
import { valueToJson } from '../common/index.js';
import type { ReadView } from './read-view.js';
import { isLabelledNull } from './values.js';

/** Rows per piece: bounds the size of one piece to a few MiB for ordinary rows. */
const ROWS_PER_PIECE = 4096;

/** The export's text in pieces; `head`'s fields come first (they must not be `lsn`/`tables`). */
export function* exportJsonText(
  view: ReadView,
  head: Readonly<Record<string, unknown>> = {},
): Generator<string> {
  const opening = JSON.stringify({ ...head, lsn: view.lsn });
  yield `${opening.slice(0, -1)},"tables":[`;
  let firstTable = true;
  for (const entity of view.entities()) {
    const table = view.table(entity);
    const columns = table.definition.columns;
    yield `${firstTable ? '' : ','}{"definition":${JSON.stringify(table.definition)},"rowCount":${table.rowCount},"rows":[`;
    firstTable = false;
    let piece: string[] = [];
    let firstRow = true;
    for (const row of table.rows({ labels: true })) {
      const values: Record<string, unknown> = {};
      for (const column of columns) {
        const value = row.values[column.name]!;
        if (isLabelledNull(value)) values[column.name] = { label: value.term };
        else if (column.type.kind === 'foreignKey') values[column.name] = value;
        else values[column.name] = valueToJson(column.type.scalar, value);
      }
      piece.push(`${firstRow ? '' : ','}${JSON.stringify({ id: row.id, values })}`);
      firstRow = false;
      if (piece.length === ROWS_PER_PIECE) {
        yield piece.join('');
        piece = [];
      }
    }
    if (piece.length > 0) yield piece.join('');
    yield ']}';
  }
  yield ']}';
}
