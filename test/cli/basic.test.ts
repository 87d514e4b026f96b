import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

describe('cli: help, init and parse (real processes)', () => {
  it('prints help for the program and for every command, exit 0', () => {
    const help = runCli(['--help']);
    assert.equal(help.status, 0, help.stderr);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map(
      (match) => match[1] ?? '',
    );
    assert.ok(commands.includes('parse') && commands.includes('init'), help.stdout);
    for (const command of commands.filter((name) => name !== 'help')) {
      const result = runCli([command, '--help']);
      assert.equal(result.status, 0, `${command}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`Usage: catrust ${command}`));
    }
  });

  it('exits 1 with a usage error for an unknown command', () => {
    const result = runCli(['frobnicate']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });

  it('parse prints the AST as JSON, and a located error with exit 1', () => {
    const ok = runCli(['parse', 'examples/company.cql']);
    assert.equal(ok.status, 0, ok.stderr);
    const ast = JSON.parse(ok.stdout) as { kind: string; declarations: { kind: string }[] };
    assert.equal(ast.kind, 'Program');
    assert.deepEqual(
      ast.declarations.map((d) => d.kind),
      ['SchemaDecl', 'InstanceDecl', 'QueryDecl'],
    );

    const dir = mkdtempSync(join(tmpdir(), 'catrust-cli-'));
    try {
      const bad = join(dir, 'bad.cql');
      const text = 'schema S {\n  entites A\n}\n';
      writeFileSync(bad, text);
      const result = runCli(['parse', bad]);
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /^error\[E_CQL_SYNTAX\]: .*bad\.cql:2:3: expected a section of the schema/m,
      );
      assert.match(result.stderr, /did you mean `entities`\?/);
      const missing = runCli(['parse', join(dir, 'missing.cql')]);
      assert.equal(missing.status, 1);
      assert.match(
        missing.stderr,
        /error\[E_IO\]: .*missing\.cql: cannot read the file: no such file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('init scaffolds a project and refuses to overwrite it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catrust-init-'));
    try {
      const project = join(dir, 'demo');
      const first = runCli(['init', '--example', project]);
      assert.equal(first.status, 0, first.stderr);
      assert.equal(
        readFileSync(join(project, 'company.cql'), 'utf8'),
        readFileSync('examples/company.cql', 'utf8'),
      );
      const again = runCli(['init', project]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /E_EXISTS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
