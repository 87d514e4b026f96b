/**
 * The data migrations of a database as NDJSON commands: `sigma`, `delta`, `pi` and
 * `sigma_delta` along a mapping of the database's program write their target tables in one
 * transaction (the session's open one, or their own, committed before the reply), with a lineage
 * record in the same commit; `sigma_validate` and `sigma_dry` report without writing; `lineage`
 * lists the records. The migrations themselves are the planner's (planner/functors/store/).
 */
import type { Mapping } from '../../catalog/index.js';
import { didYouMean } from '../../common/index.js';
import {
  deltaInStore,
  lineageRecords,
  piInStore,
  sigmaDeltaInStore,
  sigmaDryInStore,
  sigmaInStore,
  sigmaValidateInStore,
  type StoreMigrationOptions,
} from '../../planner/index.js';
import type { ReadView, Transaction } from '../../store/index.js';
import { integerArg, optional, stringArg } from '../args.js';
import { command, NAME, type Command, type CommandContext } from '../command.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';

/** The mapping named `name` in the current database's program, or a typed error naming it. */
async function mappingNamed(engine: Engine, session: Session, name: string): Promise<Mapping> {
  const { name: database, state } = await engine.current(session);
  const mappings = state.program?.mappings ?? new Map<string, Mapping>();
  const mapping = mappings.get(name);
  if (mapping === undefined) {
    const names = [...mappings.keys()];
    throw new GatewayError('E_NOT_FOUND', `database \`${database}\` has no mapping \`${name}\``, {
      location: { kind: 'field', field: 'mapping' },
      hint:
        didYouMean(name, names) ??
        (names.length === 0
          ? 'load a program declaring one: {"cmd":"load","cql":"mapping F = literal : S -> T {…}"}'
          : `mappings: ${names.join(', ')}`),
    });
  }
  return mapping;
}

function migrationOptions(context: CommandContext): StoreMigrationOptions {
  return context.deadline === undefined ? {} : { deadline: context.deadline };
}

type Migration = (
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions,
) => object;

function migrationCommand(name: string, summary: string, migrate: Migration): Command {
  return command({
    name,
    commandClass: 'write',
    summary,
    args: { mapping: stringArg(NAME) },
    run: async (context, { mapping: mappingName }) => {
      const { engine, session } = context;
      const mapping = await mappingNamed(engine, session, mappingName);
      const options = migrationOptions(context);
      const record = await engine.write(session, (transaction) =>
        migrate(transaction, mapping, options),
      );
      return { ...record };
    },
  });
}

type Report = (view: ReadView, mapping: Mapping, options: StoreMigrationOptions) => object;

/** A command that reports on Σ along a mapping over the session's view, writing nothing. */
function reportCommand(name: string, summary: string, report: Report): Command {
  return command({
    name,
    commandClass: 'read',
    summary,
    args: { mapping: stringArg(NAME) },
    run: async (context, { mapping: mappingName }) => {
      const { engine, session } = context;
      const mapping = await mappingNamed(engine, session, mappingName);
      return { ...report(await engine.view(session), mapping, migrationOptions(context)) };
    },
  });
}

export const FUNCTOR_COMMANDS: readonly Command[] = [
  migrationCommand(
    'sigma',
    'Σ along a mapping: the source schema’s rows pushed forward into the target’s tables (replaced), one transaction',
    sigmaInStore,
  ),
  migrationCommand(
    'delta',
    'Δ along a mapping: the target schema’s rows pulled back into the source’s tables (replaced), one transaction',
    deltaInStore,
  ),
  migrationCommand(
    'pi',
    'Π along a mapping: the source rows’ compatible families as the target’s tables (replaced), one transaction',
    piInStore,
  ),
  migrationCommand(
    'sigma_delta',
    'incremental Σ: only the source rows added since the last Σ, or a full Σ (and why) when that cannot be done',
    sigmaDeltaInStore,
  ),
  reportCommand(
    'sigma_validate',
    'what Σ along a mapping would run into: labelled nulls in NOT NULL attributes, fresh rows, clashes',
    sigmaValidateInStore,
  ),
  reportCommand(
    'sigma_dry',
    'Σ along a mapping without writing: per target entity the rows it would create, merge, leave null',
    sigmaDryInStore,
  ),
  command({
    name: 'lineage',
    commandClass: 'read',
    summary: 'the migrations (Σ, Δ, Π) run on the current database, oldest first',
    args: { mapping: optional(stringArg(NAME)), limit: optional(integerArg({ min: 1 })) },
    run: async ({ engine, session }, { mapping, limit }) => {
      const { name } = await engine.current(session);
      let records = lineageRecords(await engine.view(session));
      if (mapping !== undefined) records = records.filter((record) => record.mapping === mapping);
      if (limit !== undefined) records = records.slice(-limit);
      return { database: name, lineage: records };
    },
  }),
];
