/**
 * CQL front-end throughput: a generated ~10 MB program (bench/generate-program.ts, both syntaxes)
 * through each stage, several timed runs after a warm-up, reported in MB/s (1 MB = 10^6 bytes of
 * UTF-8 source) with the median and the best run.
 *
 * Run it compiled, as recorded in bench/RESULTS.md (an output folder inside the repository, so
 * that node_modules and package.json are found without links):
 *
 *   npx tsc -p tsconfig.json --outDir .tmp/bench-dist --incremental false
 *   node .tmp/bench-dist/bench/parse.js [--mb 10] [--runs 7] [--stage parse]
 *
 * Besides wall time, each stage reports the process's CPU time per run (user + system, so the
 * garbage collector's helper threads count): on a shared machine the wall time varies with the
 * load, the CPU time much less.
 *
 * Extending: a later layer (the catalog's check) adds a `Stage` to `stages` below, or calls
 * `runStages` with its own list; each stage receives the source text and does its whole job.
 */
import { pathToFileURL } from 'node:url';
import { checkProgramCollecting } from '../catalog/index.js';
import { parseProgram, printProgram, tokenize } from '../cql/index.js';
import { generateProgram } from './generate-program.js';

export interface Stage {
  /** Shown in the report, e.g. `parse` or `parse + check`. */
  readonly name: string;
  /** Does the stage's whole work on `text`; the result is returned so it cannot be optimised away. */
  readonly run: (text: string, file: string) => unknown;
  /** The throughput the stage must reach, in MB/s (reported as met or missed). */
  readonly targetMbPerSecond?: number;
}

export interface StageResult {
  readonly stage: string;
  readonly runs: readonly number[];
  readonly medianMs: number;
  readonly bestMs: number;
  readonly medianMbPerSecond: number;
  readonly bestMbPerSecond: number;
  /** CPU time (user + system, all threads) of each run, and its median. */
  readonly cpuRuns: readonly number[];
  readonly cpuMedianMs: number;
  readonly targetMbPerSecond: number | undefined;
}

const FILE = 'generated.cql';

export const stages: Stage[] = [
  { name: 'tokenize', run: (text, file) => tokenize(text, file).length },
  { name: 'parse', run: (text, file) => parseProgram(text, { file }), targetMbPerSecond: 20 },
  {
    name: 'parse + check',
    run: (text, file) => {
      const result = checkProgramCollecting(parseProgram(text, { file }));
      const first = result.errors[0];
      if (first !== undefined) throw first;
      return result.program;
    },
    targetMbPerSecond: 20,
  },
];

/** Time `stage` over `text`: one warm-up run, then `runs` timed runs. */
export function measureStage(stage: Stage, text: string, runs: number): StageResult {
  const megabytes = Buffer.byteLength(text, 'utf8') / 1e6;
  const collect = (globalThis as { gc?: () => void }).gc;
  if (stage.run(text, FILE) === undefined) throw new Error(`stage ${stage.name} returned nothing`);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    collect?.();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    // The result is dropped at once: only one run's output is ever alive, as in real use.
    const result = stage.run(text, FILE);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const cpu = process.cpuUsage(cpuStart);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (result === undefined) throw new Error(`stage ${stage.name} returned nothing`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const bestMs = sorted[0] ?? NaN;
  const cpuSorted = [...cpuTimes].sort((a, b) => a - b);
  return {
    stage: stage.name,
    runs: times,
    medianMs,
    bestMs,
    medianMbPerSecond: megabytes / (medianMs / 1000),
    bestMbPerSecond: megabytes / (bestMs / 1000),
    cpuRuns: cpuTimes,
    cpuMedianMs: cpuSorted[Math.floor(cpuSorted.length / 2)] ?? NaN,
    targetMbPerSecond: stage.targetMbPerSecond,
  };
}

export function formatResult(result: StageResult): string {
  const target =
    result.targetMbPerSecond === undefined
      ? ''
      : result.medianMbPerSecond >= result.targetMbPerSecond
        ? `  target ≥ ${result.targetMbPerSecond} MB/s: met`
        : `  target ≥ ${result.targetMbPerSecond} MB/s: MISSED`;
  return (
    `${result.stage.padEnd(16)} median ${result.medianMs.toFixed(1).padStart(8)} ms ` +
    `${result.medianMbPerSecond.toFixed(1).padStart(7)} MB/s   best ${result.bestMbPerSecond
      .toFixed(1)
      .padStart(7)} MB/s   cpu median ${result.cpuMedianMs.toFixed(1).padStart(8)} ms${target}`
  );
}

export function runStages(text: string, list: readonly Stage[], runs: number): StageResult[] {
  return list.map((stage) => {
    const result = measureStage(stage, text, runs);
    console.log(formatResult(result));
    return result;
  });
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The printer's text of `text`, after checking that every declaration parses. */
function canonicalText(text: string, declarations: number): string {
  const program = parseProgram(text, { file: FILE });
  if (program.declarations.length !== declarations) {
    throw new Error(
      `generated ${declarations} declarations but parsed ${program.declarations.length}`,
    );
  }
  return printProgram(program);
}

function main(): void {
  const megabytes = Number(argument('mb') ?? '10');
  const runs = Number(argument('runs') ?? '7');
  const only = argument('stage');
  const generated = generateProgram({ targetBytes: Math.round(megabytes * 1e6) });
  const bytes = Buffer.byteLength(generated.text, 'utf8');

  // The benchmark is only meaningful on a program that parses completely. The canonical text
  // is made here; no AST is kept alive while stages run (it would slow every collection).
  const printed = canonicalText(generated.text, generated.declarations);

  console.log(
    `CQL program: ${(bytes / 1e6).toFixed(2)} MB, ${generated.modules} modules, ` +
      `${generated.declarations} declarations; ${runs} runs after a warm-up`,
  );
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  const list: Stage[] = [
    ...stages,
    {
      name: 'parse canonical',
      run: (_text, file) => parseProgram(printed, { file }),
    },
    {
      name: 'parse + print',
      run: (text, file) => printProgram(parseProgram(text, { file })),
    },
  ];
  const selected = only === undefined ? list : list.filter((stage) => stage.name === only);
  if (selected.length === 0) throw new Error(`no stage named ${only ?? ''}`);
  const results = runStages(generated.text, selected, runs);
  const missed = results.filter(
    (result) =>
      result.targetMbPerSecond !== undefined && result.medianMbPerSecond < result.targetMbPerSecond,
  );
  process.exitCode = missed.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
