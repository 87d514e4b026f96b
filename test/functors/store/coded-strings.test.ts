/**
 * Σ on the store appends the result's strings as codes into the source columns' dictionaries
 * (store/bulk-append.ts translates each entry once). These tests pin what that must not change:
 * two source entities into one (two dictionaries: the append goes in runs, cut at odd row
 * counts), NULLs and labelled nulls among the strings, a second attribute that only one source
 * fills, a rerun that finds every string translated already, sigma_delta after it, and the
 * in-memory Σ as the reference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { checkProgram, type Mapping } from '../../../catalog/index.js';
import { parseProgram } from '../../../cql/index.js';
import { sigma, sigmaDeltaInStore, sigmaInStore } from '../../../planner/functors/index.js';
import { readStoredInstance, schemaTableDefinitions } from '../../../planner/index.js';
import {
  createMemoryDatabase,
  labelledNull,
  type Database,
  type InputValue,
} from '../../../store/index.js';
import { canonicalForm } from './canonical.js';

const PROGRAM = `
typeside Ty = sql
schema Two = literal : Ty {
  entities L R
  attributes lname : L -> Varchar  ltag : L -> Varchar  rname : R -> Varchar
}
schema One = literal : Ty { entities U  attributes name : U -> Varchar  tag : U -> Varchar }
mapping Union = literal : Two -> One {
  entity L -> U  attributes lname -> lambda x. x.name  ltag -> lambda x. x.tag
  entity R -> U  attributes rname -> lambda x. x.name
}
`;

const program = checkProgram(parseProgram(PROGRAM, { file: 'coded-strings.test.ts' }));
const union = program.mappings.get('Union') as Mapping;

/** Row `index` of L or R: a string from a small set, some NULL, some labelled null. */
function cell(side: string, index: number): InputValue {
  if (index % 13 === 5) return null;
  if (index % 17 === 2) return labelledNull(`${side}${index}.v`);
  return `${side}-${index % 211}`;
}

async function twoDatabase(lRows: number, rRows: number): Promise<Database> {
  const database = createMemoryDatabase('two', schemaTableDefinitions(program.schemas.get('Two')!));
  const transaction = await database.begin();
  transaction.insertRows(
    'L',
    Array.from({ length: lRows }, (_, index) => ({
      lname: cell('l', index),
      ltag: index % 3 === 0 ? null : `t${index % 7}`,
    })),
  );
  transaction.insertRows(
    'R',
    Array.from({ length: rRows }, (_, index) => ({ rname: cell('r', index) })),
  );
  await transaction.commit();
  return database;
}

async function runSigma(database: Database): Promise<void> {
  const transaction = await database.begin();
  sigmaInStore(transaction, union);
  await transaction.commit();
}

function activeNames(database: Database): unknown[] {
  return [...database.view().table('U').rows({ labels: true })].map((row) => row.values['name']);
}

describe('functors on the store: Σ appends strings as source dictionary codes', () => {
  it('two sources into one entity: the strings, NULLs and labels of both, in order', async () => {
    const lRows = 3001;
    const rRows = 2999;
    const database = await twoDatabase(lRows, rRows);
    await runSigma(database);
    const expected = [
      ...Array.from({ length: lRows }, (_, index) => cell('l', index)),
      ...Array.from({ length: rRows }, (_, index) => cell('r', index)),
    ];
    assert.deepEqual(activeNames(database), expected);
    const tags = [...database.view().table('U').rows()].map((row) => row.values['tag']);
    assert.deepEqual(
      tags.slice(0, lRows),
      Array.from({ length: lRows }, (_, index) => (index % 3 === 0 ? null : `t${index % 7}`)),
    );
    const source = readStoredInstance(database.view(), program.schemas.get('Two')!).instance;
    const result = readStoredInstance(database.view(), program.schemas.get('One')!).instance;
    assert.equal(canonicalForm(result), canonicalForm(sigma(union, source)));
  });

  it('a rerun translates nothing again and writes the same rows; sigma_delta follows', async () => {
    const database = await twoDatabase(600, 401);
    await runSigma(database);
    const first = activeNames(database);
    const dictionarySize = database.view().table('U').column('name').dictionary!.length;
    await runSigma(database);
    assert.deepEqual(activeNames(database), first);
    assert.equal(database.view().table('U').column('name').dictionary!.length, dictionarySize);
    const insert = await database.begin();
    insert.insertRows('R', [{ rname: 'r-brand-new' }, { rname: 'r-7' }, { rname: null }]);
    await insert.commit();
    const delta = await database.begin();
    const record = sigmaDeltaInStore(delta, union);
    await delta.commit();
    assert.equal(record.incremental, true);
    assert.deepEqual(activeNames(database), [...first, 'r-brand-new', 'r-7', null]);
  });
});
