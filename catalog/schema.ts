/**
 * The checked model of a schema: entities, foreign keys, attributes, path equations and
 * observation equations over a typeside.
 *
 * Foreign keys and attributes are identified by their source entity and their name, as in the
 * reference (`src/catdata/cql/exp/Fk.java`): two entities may each have a `name` attribute.
 * Within one entity, foreign key and attribute names are unique together.
 *
 * Orders are stable and meaningful to other layers: `entities` in declaration order (imported
 * schemas' first), `foreignKeysOf(e)` and `attributesOf(e)` in declaration order. Every
 * `ForeignKey` and `Attribute` has a schema-wide `index` (its position in `foreignKeys` /
 * `attributes`), handy for arrays indexed by column.
 *
 * A `Schema` is immutable. Equality of paths under the path equations is decided by
 * `schema.pathEquality()` (catalog/path-equality.ts).
 */
import type { ScalarType, SourceLocation } from '../common/index.js';
import { PathEquality } from './path-equality.js';
import type { TypedTerm } from './term.js';
import type { Typeside } from './typeside.js';

export interface Entity {
  readonly kind: 'Entity';
  readonly name: string;
  /** Position in `schema.entities`. */
  readonly index: number;
  readonly location: SourceLocation | undefined;
}

export interface ForeignKey {
  readonly kind: 'ForeignKey';
  readonly name: string;
  /** The entity the foreign key starts at (its rows hold the key). */
  readonly source: string;
  /** The entity it points to. */
  readonly target: string;
  /** Position in `schema.foreignKeys`. */
  readonly index: number;
  readonly location: SourceLocation | undefined;
}

export interface Attribute {
  readonly kind: 'Attribute';
  readonly name: string;
  readonly entity: string;
  /** The typeside sort of the attribute's values, as declared (aliases resolved). */
  readonly sort: string;
  /** The scalar type of its values; undefined for an uninterpreted sort. */
  readonly scalarType: ScalarType | undefined;
  /** The type a store keeps the column as: `scalarType`, or String for uninterpreted sorts. */
  readonly storageType: ScalarType;
  /** NOT NULL: the compact dialect's `!`. Never true in the reference syntax. */
  readonly notNull: boolean;
  /** Position in `schema.attributes`. */
  readonly index: number;
  readonly location: SourceLocation | undefined;
}

/** A path of foreign keys from `source` to `target`; no foreign keys is the identity. */
export interface SchemaPath {
  readonly kind: 'SchemaPath';
  readonly source: string;
  readonly foreignKeys: readonly ForeignKey[];
  readonly target: string;
}

/** `forall x:entity. lhs = rhs` between two paths from `entity`. */
export interface PathEquation {
  readonly kind: 'PathEquation';
  readonly entity: string;
  readonly lhs: SchemaPath;
  readonly rhs: SchemaPath;
  readonly text: string;
  readonly location: SourceLocation | undefined;
}

/** `forall variable:entity. lhs = rhs` between two terms of the type sort `sort`. */
export interface ObservationEquation {
  readonly kind: 'ObservationEquation';
  readonly variable: string;
  readonly entity: string;
  readonly sort: string;
  readonly lhs: TypedTerm;
  readonly rhs: TypedTerm;
  readonly text: string;
  readonly location: SourceLocation | undefined;
}

export interface SchemaParts {
  readonly name: string;
  readonly typeside: Typeside;
  readonly syntax: 'literal' | 'compact';
  readonly entities: readonly Entity[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly attributes: readonly Attribute[];
  readonly pathEquations: readonly PathEquation[];
  readonly observationEquations: readonly ObservationEquation[];
  readonly options: ReadonlyMap<string, string>;
  readonly location: SourceLocation | undefined;
}

export function pathOf(source: string, foreignKeys: readonly ForeignKey[]): SchemaPath {
  const last = foreignKeys[foreignKeys.length - 1];
  return {
    kind: 'SchemaPath',
    source,
    foreignKeys,
    target: last === undefined ? source : last.target,
  };
}

/** `Employee.manager.works_in` (the source entity, then the foreign keys). */
export function printPath(path: SchemaPath): string {
  return [path.source, ...path.foreignKeys.map((fk) => fk.name)].join('.');
}

/** The path `p` then `q` (q must start where p ends). */
export function concatPaths(p: SchemaPath, q: SchemaPath): SchemaPath {
  return pathOf(p.source, [...p.foreignKeys, ...q.foreignKeys]);
}

export class Schema {
  readonly kind = 'Schema';
  /** The declared name, or a description for an anonymous schema expression. */
  readonly name: string;
  readonly typeside: Typeside;
  readonly syntax: 'literal' | 'compact';
  readonly entities: readonly Entity[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly attributes: readonly Attribute[];
  readonly pathEquations: readonly PathEquation[];
  readonly observationEquations: readonly ObservationEquation[];
  /** The schema's own `options` block, key → value text. */
  readonly options: ReadonlyMap<string, string>;
  readonly location: SourceLocation | undefined;
  readonly #entities = new Map<string, Entity>();
  readonly #foreignKeysOf = new Map<string, ForeignKey[]>();
  readonly #attributesOf = new Map<string, Attribute[]>();
  #pathEquality: PathEquality | undefined;
  #symbolNames: ReadonlySet<string> | undefined;

  constructor(parts: SchemaParts) {
    this.name = parts.name;
    this.typeside = parts.typeside;
    this.syntax = parts.syntax;
    this.entities = Object.freeze([...parts.entities]);
    this.foreignKeys = Object.freeze([...parts.foreignKeys]);
    this.attributes = Object.freeze([...parts.attributes]);
    this.pathEquations = Object.freeze([...parts.pathEquations]);
    this.observationEquations = Object.freeze([...parts.observationEquations]);
    this.options = parts.options;
    this.location = parts.location;
    for (const entity of this.entities) {
      this.#entities.set(entity.name, entity);
      this.#foreignKeysOf.set(entity.name, []);
      this.#attributesOf.set(entity.name, []);
    }
    for (const fk of this.foreignKeys) this.#foreignKeysOf.get(fk.source)?.push(fk);
    for (const attribute of this.attributes)
      this.#attributesOf.get(attribute.entity)?.push(attribute);
  }

  entity(name: string): Entity | undefined {
    return this.#entities.get(name);
  }

  hasEntity(name: string): boolean {
    return this.#entities.has(name);
  }

  entityNames(): string[] {
    return this.entities.map((entity) => entity.name);
  }

  /** Foreign keys starting at `entity`, in declaration order (empty for an unknown entity). */
  foreignKeysOf(entity: string): readonly ForeignKey[] {
    return this.#foreignKeysOf.get(entity) ?? [];
  }

  /** Attributes of `entity`, in declaration order (empty for an unknown entity). */
  attributesOf(entity: string): readonly Attribute[] {
    return this.#attributesOf.get(entity) ?? [];
  }

  /** Whether some entity has a foreign key or an attribute called `name` (set made on first use). */
  hasForeignKeyOrAttributeNamed(name: string): boolean {
    this.#symbolNames ??= new Set([
      ...this.foreignKeys.map((fk) => fk.name),
      ...this.attributes.map((attribute) => attribute.name),
    ]);
    return this.#symbolNames.has(name);
  }

  // The two look-ups below are on the checker's hot path (every row assignment, every term
  // `x.f`): plain loops over the entity's few columns, no closure.
  foreignKey(entity: string, name: string): ForeignKey | undefined {
    const foreignKeys = this.#foreignKeysOf.get(entity);
    if (foreignKeys === undefined) return undefined;
    for (const fk of foreignKeys) if (fk.name === name) return fk;
    return undefined;
  }

  attribute(entity: string, name: string): Attribute | undefined {
    const attributes = this.#attributesOf.get(entity);
    if (attributes === undefined) return undefined;
    for (const attribute of attributes) if (attribute.name === name) return attribute;
    return undefined;
  }

  /** The scalar type of an attribute (undefined when unknown or uninterpreted). */
  attributeType(entity: string, name: string): ScalarType | undefined {
    return this.attribute(entity, name)?.scalarType;
  }

  /** Whether an attribute is NOT NULL (the compact dialect's `!`). */
  isNotNull(entity: string, name: string): boolean {
    return this.attribute(entity, name)?.notNull ?? false;
  }

  /** Path equations whose paths start at `entity`. */
  pathEquationsOf(entity: string): readonly PathEquation[] {
    return this.pathEquations.filter((equation) => equation.entity === entity);
  }

  /** Observation equations quantified over `entity`. */
  observationEquationsOf(entity: string): readonly ObservationEquation[] {
    return this.observationEquations.filter((equation) => equation.entity === entity);
  }

  /** The decision procedure for equality of paths of this schema (built on first use). */
  pathEquality(): PathEquality {
    this.#pathEquality ??= new PathEquality(this);
    return this.#pathEquality;
  }
}
