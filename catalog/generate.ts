/**
 * Text generated from checked schemas and instances: PostgreSQL DDL (and INSERTs), Neo4j
 * Cypher, and Graphviz DOT. Pure functions; the CLI (`catrust generate`, `catrust viz`) and the
 * Studio print or render what they return.
 *
 * PostgreSQL: each CQL schema becomes a PostgreSQL schema of the same name, each entity a table
 * with `id bigint PRIMARY KEY` (the row id), one column per attribute (type from the scalar type,
 * NOT NULL for `!`) and one `bigint NOT NULL` column per foreign key. Foreign-key constraints are
 * added after every table exists (`ALTER TABLE … ADD FOREIGN KEY`, DEFERRABLE so rows of a cycle
 * can be inserted in one transaction). Identifiers are always double-quoted, so CQL's case is kept.
 */
import { assertNever, formatValue, type Scalar, type ScalarType } from '../common/index.js';
import type { SaturatedInstance } from './saturated-instance.js';
import { canonicalOrder } from './run-json.js';
import type { Schema } from './schema.js';

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function postgresType(type: ScalarType): string {
  switch (type) {
    case 'String':
      return 'text';
    case 'Int':
      return 'bigint';
    case 'Float':
      return 'double precision';
    case 'Bool':
      return 'boolean';
    case 'Date':
      return 'date';
    case 'Uuid':
      return 'uuid';
    case 'Decimal':
      return 'numeric';
    default:
      return assertNever(type, 'scalar type');
  }
}

/** `CREATE SCHEMA`, `CREATE TABLE` per entity, then the foreign keys. */
export function postgresDdl(schema: Schema): string {
  const ns = quoteIdentifier(schema.name);
  const lines = [`CREATE SCHEMA IF NOT EXISTS ${ns};`, ''];
  for (const entity of schema.entities) {
    // Each column with an optional comment, which goes after the column's comma.
    const columns: { definition: string; note: string }[] = [
      { definition: '"id" bigint PRIMARY KEY', note: '' },
      ...schema.attributesOf(entity.name).map((attribute) => ({
        definition: `${quoteIdentifier(attribute.name)} ${postgresType(attribute.storageType)}${attribute.notNull ? ' NOT NULL' : ''}`,
        note:
          attribute.scalarType === undefined ? ` -- sort ${attribute.sort} (uninterpreted)` : '',
      })),
      ...schema.foreignKeysOf(entity.name).map((fk) => ({
        definition: `${quoteIdentifier(fk.name)} bigint NOT NULL`,
        note: '',
      })),
    ];
    const body = columns.map(
      (column, index) =>
        `  ${column.definition}${index < columns.length - 1 ? ',' : ''}${column.note}`,
    );
    lines.push(`CREATE TABLE ${ns}.${quoteIdentifier(entity.name)} (`, ...body, ');', '');
  }
  for (const fk of schema.foreignKeys) {
    lines.push(
      `ALTER TABLE ${ns}.${quoteIdentifier(fk.source)} ADD CONSTRAINT ${quoteIdentifier(`${fk.source}_${fk.name}_fkey`)}`,
      `  FOREIGN KEY (${quoteIdentifier(fk.name)}) REFERENCES ${ns}.${quoteIdentifier(fk.target)} ("id") DEFERRABLE INITIALLY DEFERRED;`,
    );
  }
  for (const equation of schema.pathEquations) {
    lines.push(`-- path equation (not enforced by PostgreSQL): ${equation.text}`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function sqlValue(type: ScalarType, value: Scalar): string {
  switch (type) {
    case 'Int':
    case 'Float':
      return String(value);
    case 'Bool':
      return value === true ? 'true' : 'false';
    case 'Decimal':
      return String(value);
    case 'Date':
    case 'String':
    case 'Uuid':
      return quoteLiteral(formatValue(type, value));
    default:
      return assertNever(type, 'scalar type');
  }
}

/**
 * INSERTs of an instance's rows into the tables of `postgresDdl(instance.schema)`, in one
 * transaction (the foreign keys are deferred). Row ids are the run JSON positions; labelled
 * nulls become NULL with a comment naming them.
 */
export function postgresInserts(instance: SaturatedInstance): string {
  const ns = quoteIdentifier(instance.schema.name);
  const positions = canonicalOrder(instance);
  const lines = ['BEGIN;'];
  for (const table of instance.tables) {
    if (table.rowCount === 0) continue;
    const position = positions.get(table.entity) as Int32Array;
    const attributes = [...table.attributes.values()];
    const fks = [...table.foreignKeys];
    const names = ['id', ...attributes.map((c) => c.attribute.name), ...fks.map(([name]) => name)];
    lines.push(
      `INSERT INTO ${ns}.${quoteIdentifier(table.entity)} (${names.map(quoteIdentifier).join(', ')}) VALUES`,
    );
    const order = Array.from({ length: table.rowCount }, (_, row) => row).sort(
      (a, b) => (position[a] as number) - (position[b] as number),
    );
    order.forEach((row, index) => {
      const labels: string[] = [];
      const cells = [String(position[row])];
      for (const column of attributes) {
        const value = column.values[row];
        const label = column.labels[row];
        if (label !== undefined) labels.push(label);
        cells.push(
          value === null || value === undefined
            ? 'NULL'
            : sqlValue(column.attribute.storageType, value),
        );
      }
      for (const [name, column] of fks) {
        const target = instance.schema.foreignKey(table.entity, name)?.target ?? '';
        cells.push(String(positions.get(target)?.[column[row] as number] ?? 'NULL'));
      }
      const end = index === order.length - 1 ? ';' : ',';
      const note = labels.length > 0 ? ` -- labelled nulls: ${labels.join(', ')}` : '';
      lines.push(`  (${cells.join(', ')})${end}${note}`);
    });
  }
  lines.push('COMMIT;');
  return `${lines.join('\n')}\n`;
}

const cypherName = (name: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;

/**
 * Neo4j: each entity a node label with a uniqueness constraint on `id`, NOT NULL attributes as
 * property existence constraints, foreign keys as relationship types (documented in comments:
 * Neo4j has no schema for relationships).
 */
export function cypherSchema(schema: Schema): string {
  const lines = [`// schema ${schema.name}`];
  for (const entity of schema.entities) {
    const label = cypherName(entity.name);
    const lower = `${schema.name}_${entity.name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    lines.push(
      `CREATE CONSTRAINT ${lower}_id IF NOT EXISTS FOR (n:${label}) REQUIRE n.id IS UNIQUE;`,
    );
    for (const attribute of schema.attributesOf(entity.name)) {
      if (!attribute.notNull) continue;
      lines.push(
        `CREATE CONSTRAINT ${lower}_${attribute.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_exists IF NOT EXISTS FOR (n:${label}) REQUIRE n.${cypherName(attribute.name)} IS NOT NULL;`,
      );
    }
  }
  for (const fk of schema.foreignKeys) {
    lines.push(
      `// (:${cypherName(fk.source)})-[:${cypherName(fk.name)}]->(:${cypherName(fk.target)}), exactly one per node`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Graphviz DOT: one cluster per schema, entities as tables of attributes, FKs as arrows. */
export function schemasToDot(schemas: readonly Schema[]): string {
  const html = (text: string): string =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const id = (schema: Schema, entity: string): string => JSON.stringify(`${schema.name}.${entity}`);
  const lines = [
    'digraph catrust {',
    '  graph [rankdir=LR, fontname="Helvetica"];',
    '  node [shape=plaintext, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  schemas.forEach((schema, index) => {
    lines.push(
      `  subgraph cluster_${index} {`,
      `    label=${JSON.stringify(`schema ${schema.name}`)};`,
    );
    for (const entity of schema.entities) {
      const rows = schema
        .attributesOf(entity.name)
        .map(
          (a) =>
            `<tr><td align="left">${html(a.name)}</td><td align="left">${html(a.sort)}${a.notNull ? '!' : ''}</td></tr>`,
        )
        .join('');
      lines.push(
        `    ${id(schema, entity.name)} [label=<<table border="0" cellborder="1" cellspacing="0"><tr><td colspan="2" bgcolor="lightgrey"><b>${html(entity.name)}</b></td></tr>${rows}</table>>];`,
      );
    }
    for (const fk of schema.foreignKeys) {
      lines.push(
        `    ${id(schema, fk.source)} -> ${id(schema, fk.target)} [label=${JSON.stringify(fk.name)}];`,
      );
    }
    lines.push('  }');
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
