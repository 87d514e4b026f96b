/**
 * Every command against every role, through the Engine (the check every door shares): a role
 * below the command's class gets E_FORBIDDEN before anything else happens; a role at or above
 * it never does. No token, or a wrong one, is E_AUTH for every command.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatrustError } from '../../common/index.js';
import { COMMANDS, Engine } from '../../gateway/index.js';

const TOKENS = { ro: 'token-for-ro-1', rw: 'token-for-rw-2', admin: 'token-for-admin-3' } as const;
const RANK = { ro: 0, rw: 1, admin: 2, read: 0, write: 1 } as const;

describe('gateway: roles against every command class', function () {
  this.timeout(60_000);
  let dir = '';
  let engine: Engine;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-roles-'));
    engine = await Engine.open({
      dataDir: dir,
      tokens: { tokenRo: TOKENS.ro, tokenRw: TOKENS.rw, tokenAdmin: TOKENS.admin },
    });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const codeOf = async (cmd: string, token: string | undefined): Promise<string> => {
    const session = engine.newSession('test');
    try {
      await engine.execute(session, { id: 1, cmd, token, progress: false, fields: { cmd } });
      return 'ok';
    } catch (error) {
      return error instanceof CatrustError ? error.code : `thrown: ${String(error)}`;
    } finally {
      engine.endSession(session);
    }
  };

  it('forbids exactly the commands above the role', async () => {
    assert.ok(COMMANDS.size >= 20, `${COMMANDS.size} commands`);
    for (const command of COMMANDS.values()) {
      const needed = command.commandClass === 'admin' ? 2 : RANK[command.commandClass];
      for (const role of ['ro', 'rw', 'admin'] as const) {
        const code = await codeOf(command.name, TOKENS[role]);
        if (RANK[role] < needed) assert.equal(code, 'E_FORBIDDEN', `${role} → ${command.name}`);
        else assert.notEqual(code, 'E_FORBIDDEN', `${role} → ${command.name}`);
        assert.doesNotMatch(code, /^thrown/, `${role} → ${command.name}: ${code}`);
      }
      assert.equal(await codeOf(command.name, undefined), 'E_AUTH', `no token → ${command.name}`);
      assert.equal(
        await codeOf(command.name, 'not-a-token-000'),
        'E_AUTH',
        `bad token → ${command.name}`,
      );
    }
  });
});
