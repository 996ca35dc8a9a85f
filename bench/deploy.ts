/**
 * Time from `git push` to the first 200 at the app's URL, for a first (cold)
 * deploy of a small express app and for a second push that changes one file.
 * Runs its own Slipway on free ports, like the e2e tests.
 *
 *   node --import tsx bench/deploy.ts
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Instance, git } from '../test/e2e/helpers/instance.js';

const run = promisify(execFile);

async function timeToServe(slipway: Instance, dir: string, app: string, expect: string): Promise<{ pushMs: number; serveMs: number }> {
  const start = performance.now();
  const pushed = await slipway.push(dir, app);
  const pushMs = performance.now() - start;
  if (pushed.code !== 0) throw new Error(`push failed:\n${pushed.output}`);
  for (;;) {
    const res = await slipway.viaRouter(app, '/').catch(() => null);
    if (res?.status === 200 && res.body.startsWith(expect)) return { pushMs, serveMs: performance.now() - start };
    if (performance.now() - start > 600_000) throw new Error('app never served');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const slipway = new Instance();
  await slipway.start();
  const app = `bench-${Date.now().toString(36)}`;
  const dir = await slipway.prepareFixture('node-express');
  try {
    const created = await slipway.api('POST', '/apps', { name: app });
    if (created.status !== 201) throw new Error(JSON.stringify(created.json));
    const cold = await timeToServe(slipway, dir, app, 'hello from');

    await run('sed', ['-i', 's/hello from/hi from/', 'server.js'], { cwd: dir });
    await git(dir, ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qam', 'one-file change']);
    const warm = await timeToServe(slipway, dir, app, 'hi from');

    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log('deploy                           push exits   first 200');
    console.log(`cold (first push, empty cache)   ${s(cold.pushMs).padStart(10)}   ${s(cold.serveMs).padStart(9)}`);
    console.log(`second push (one file changed)   ${s(warm.pushMs).padStart(10)}   ${s(warm.serveMs).padStart(9)}`);
    console.log(`ratio second/cold: ${(warm.serveMs / cold.serveMs).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await slipway.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
