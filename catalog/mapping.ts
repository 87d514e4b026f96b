/**
 * The checked model of a mapping F : S → T (a schema morphism): every entity of S to an entity
 * of T, every foreign key f : A → B of S to a path of T from F(A) to F(B) (the empty path for
 * `identity`), every attribute a : A → τ of S to a term of sort τ over one variable of sort
 * F(A) in T. Checked mappings preserve the path equations of S (decided in T, see
 * catalog/check-mapping.ts).
 *
 * `translatePath` and `translateTerm` carry paths and terms of S to T; `compose` builds [F ; G]
 * as a new mapping; `Mapping.identity(S)` is the identity.
 */
import { CatalogError } from './errors.js';
import {
  concatPaths,
  pathOf,
  type Attribute,
  type ForeignKey,
  type Schema,
  type SchemaPath,
} from './schema.js';
import {
  applyTerm,
  attTerm,
  entitySort,
  fkTerm,
  genTerm,
  substitute,
  varTerm,
  type TypedTerm,
} from './term.js';
import { assertNever, type SourceLocation } from '../common/index.js';

/** The image of a source attribute: `lambda variable. term`, the variable of sort F(entity). */
export interface AttributeImage {
  readonly attribute: Attribute;
  readonly variable: string;
  readonly term: TypedTerm;
}

export interface MappingParts {
  readonly name: string;
  readonly source: Schema;
  readonly target: Schema;
  readonly entities: ReadonlyMap<string, string>;
  readonly foreignKeys: ReadonlyMap<ForeignKey, SchemaPath>;
  readonly attributes: ReadonlyMap<Attribute, AttributeImage>;
  readonly location: SourceLocation | undefined;
}

export class Mapping {
  readonly kind = 'Mapping';
  readonly name: string;
  readonly source: Schema;
  readonly target: Schema;
  /** Source entity name → target entity name. */
  readonly entities: ReadonlyMap<string, string>;
  /** Source foreign key → path of the target. */
  readonly foreignKeys: ReadonlyMap<ForeignKey, SchemaPath>;
  /** Source attribute → term of the target. */
  readonly attributes: ReadonlyMap<Attribute, AttributeImage>;
  readonly location: SourceLocation | undefined;

  constructor(parts: MappingParts) {
    this.name = parts.name;
    this.source = parts.source;
    this.target = parts.target;
    this.entities = parts.entities;
    this.foreignKeys = parts.foreignKeys;
    this.attributes = parts.attributes;
    this.location = parts.location;
  }

  /** F(entity) for a source entity. */
  entity(sourceEntity: string): string {
    const image = this.entities.get(sourceEntity);
    if (image === undefined) {
      throw new CatalogError(
        'E_CATALOG_UNKNOWN',
        `mapping \`${this.name}\` has no entity \`${sourceEntity}\``,
      );
    }
    return image;
  }

  /** F(fk) for the source foreign key `name` of `sourceEntity`. */
  foreignKeyPath(sourceEntity: string, name: string): SchemaPath {
    const fk = this.source.foreignKey(sourceEntity, name);
    const path = fk === undefined ? undefined : this.foreignKeys.get(fk);
    if (path === undefined) {
      throw new CatalogError(
        'E_CATALOG_UNKNOWN',
        `mapping \`${this.name}\` has no foreign key \`${sourceEntity}.${name}\``,
      );
    }
    return path;
  }

  /** F(att) for the source attribute `name` of `sourceEntity`. */
  attributeTerm(sourceEntity: string, name: string): AttributeImage {
    const attribute = this.source.attribute(sourceEntity, name);
    const image = attribute === undefined ? undefined : this.attributes.get(attribute);
    if (image === undefined) {
      throw new CatalogError(
        'E_CATALOG_UNKNOWN',
        `mapping \`${this.name}\` has no attribute \`${sourceEntity}.${name}\``,
      );
    }
    return image;
  }

  /** The image of a source path: the concatenation of the images of its foreign keys. */
  translatePath(path: SchemaPath): SchemaPath {
    let result = pathOf(this.entity(path.source), []);
    for (const fk of path.foreignKeys) {
      const image = this.foreignKeys.get(fk);
      if (image === undefined) {
        throw new CatalogError(
          'E_CATALOG_UNKNOWN',
          `mapping \`${this.name}\` has no foreign key \`${fk.source}.${fk.name}\``,
        );
      }
      result = concatPaths(result, image);
    }
    return result;
  }

  /**
   * The image of a source term: variables and generators keep their names with their entity
   * mapped, foreign keys become their paths, attributes their terms (the lambda applied).
   * Foreign keys and attributes are resolved by entity and name, so terms over an equal copy
   * of the source schema translate too.
   */
  translateTerm(term: TypedTerm): TypedTerm {
    switch (term.kind) {
      case 'Var':
        return term.sort.kind === 'EntitySort'
          ? varTerm(term.name, entitySort(this.entity(term.sort.entity)))
          : term;
      case 'Gen':
        return genTerm(term.name, this.entity(term.entity));
      case 'Sk':
      case 'Const':
      case 'Literal':
      case 'Null':
        return term;
      case 'Fk': {
        let result = this.translateTerm(term.argument);
        const image = this.foreignKeyPath(term.foreignKey.source, term.foreignKey.name);
        for (const fk of image.foreignKeys) result = fkTerm(fk, result);
        return result;
      }
      case 'Att': {
        const image = this.attributeTerm(term.attribute.entity, term.attribute.name);
        return substitute(
          image.term,
          new Map([[image.variable, this.translateTerm(term.argument)]]),
        );
      }
      case 'Apply':
        return applyTerm(
          term.function,
          term.args.map((arg) => this.translateTerm(arg)),
        );
      default:
        return assertNever(term, 'term');
    }
  }

  /** [this ; second]: first this mapping, then `second` (whose source must be this target). */
  compose(second: Mapping, name = `[${this.name} ; ${second.name}]`): Mapping {
    const entities = new Map<string, string>();
    for (const [from, to] of this.entities) entities.set(from, second.entity(to));
    const foreignKeys = new Map<ForeignKey, SchemaPath>();
    for (const [fk, path] of this.foreignKeys) foreignKeys.set(fk, second.translatePath(path));
    const attributes = new Map<Attribute, AttributeImage>();
    for (const [attribute, image] of this.attributes) {
      attributes.set(attribute, {
        attribute,
        variable: image.variable,
        term: second.translateTerm(image.term),
      });
    }
    return new Mapping({
      name,
      source: this.source,
      target: second.target,
      entities,
      foreignKeys,
      attributes,
      location: this.location,
    });
  }

  /** The identity mapping of a schema. */
  static identity(schema: Schema, name = `identity ${schema.name}`): Mapping {
    const entities = new Map(schema.entities.map((entity) => [entity.name, entity.name]));
    const foreignKeys = new Map(schema.foreignKeys.map((fk) => [fk, pathOf(fk.source, [fk])]));
    const attributes = new Map(
      schema.attributes.map((attribute): [Attribute, AttributeImage] => [
        attribute,
        {
          attribute,
          variable: 'x',
          term: attTerm(attribute, varTerm('x', entitySort(attribute.entity))),
        },
      ]),
    );
    return new Mapping({
      name,
      source: schema,
      target: schema,
      entities,
      foreignKeys,
      attributes,
      location: schema.location,
    });
  }
}
