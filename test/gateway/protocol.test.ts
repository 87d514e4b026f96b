/**
 * docs/protocol.md is executable: every `→ request` / `← reply` pair in it is sent, in order,
 * to a fresh `catrust serve --example`; each reply must have the documented `ok` and fields
 * (for errors, the documented `code`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';
import { exchange, startServe, stopServe } from '../helpers/serve.js';

type Json = Record<string, unknown>;

function documentedPairs(): { request: string; reply: Json }[] {
  const lines = readFileSync(join(projectRoot, 'docs', 'protocol.md'), 'utf8').split('\n');
  const pairs: { request: string; reply: Json }[] = [];
  let request: string | undefined;
  for (const line of lines) {
    if (line.startsWith('→ ')) request = line.slice(2);
    else if (line.startsWith('← ')) {
      assert.ok(request !== undefined, `reply without request: ${line}`);
      pairs.push({ request, reply: JSON.parse(line.slice(2)) as Json });
      request = undefined;
    }
  }
  return pairs;
}

describe('gateway: docs/protocol.md examples run as documented', function () {
  this.timeout(60_000);
  it('answers every documented request with the documented reply', async () => {
    const pairs = documentedPairs();
    assert.ok(pairs.length >= 15, `${pairs.length} documented examples`);
    const dir = mkdtempSync(join(tmpdir(), 'catrust-protocol-'));
    const server = await startServe(['--data-dir', dir, '--example']);
    try {
      const port = server.port;
      const replies: Json[] = await exchange(
        port,
        pairs.map((pair) => pair.request),
      );
      assert.equal(replies.length, pairs.length);
      pairs.forEach(({ request, reply: documented }, index) => {
        const actual = replies[index] as Json;
        assert.equal(actual['ok'], documented['ok'], `${request}\n→ ${JSON.stringify(actual)}`);
        if (documented['ok'] === false) {
          const code = (documented['error'] as Json)['code'];
          assert.equal((actual['error'] as Json)['code'], code, request);
          return;
        }
        for (const [key, value] of Object.entries(documented)) {
          assert.deepEqual(actual[key], value, `${request}: field ${key}`);
        }
      });
    } finally {
      await stopServe(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
