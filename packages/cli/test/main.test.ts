import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyDir } from './helpers/run.js';
import { FakeApi } from './helpers/fake-api.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Runs the real entry point in a child process, as a user would. */
function slipway(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = emptyDir();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, SLIPWAY_HOME: home, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe('slipway (main)', () => {
  it('prints help without an API key', async () => {
    const { code, stdout } = await slipway(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /ps:scale \[options\] \[formation\.\.\.\]/);
    const sub = await slipway(['config:set', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /Examples:/);
  });

  it('exits 1 on an unknown command', async () => {
    const { code, stderr } = await slipway(['nope']);
    assert.equal(code, 1);
    assert.match(stderr, /^ !    unknown command 'nope'/);
  });

  it('exits 1 and names both key sources when there is no key', async () => {
    const { code, stderr } = await slipway(['apps']);
    assert.equal(code, 1);
    assert.match(stderr, /^ !    No Slipway API key: set SLIPWAY_API_KEY, or put the key in .*\/api-key\.\n$/);
  });

  it('exits 1 and names the URL when the API is down', async () => {
    const closed = await new FakeApi().start();
    await closed.stop();
    const { code, stderr } = await slipway(['apps'], { SLIPWAY_API_KEY: 'k', SLIPWAY_API_URL: closed.url });
    assert.equal(code, 1);
    assert.equal(stderr.startsWith(` !    Could not reach the Slipway API at ${closed.url}: connect ECONNREFUSED`), true, stderr);
  });
});
