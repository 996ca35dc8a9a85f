/**
 * Time from `git push` to serving for a small Node app, in three cases: cold
 * (new app, empty cache), warm with an unchanged lockfile, and warm with a
 * changed lockfile. Prints where the time goes (each `----->` step, timed as
 * its line reaches the pusher) and the image and slug sizes.
 *
 *   node --import tsx bench/build.ts
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { git, Instance } from '../test/e2e/helpers/instance.js';

const run = promisify(execFile);

interface Timed {
  totalMs: number;
  steps: [string, number][];
  slug: string;
}

async function pushAndServe(slipway: Instance, dir: string, app: string, expect: string): Promise<Timed> {
  const start = performance.now();
  const marks: [string, number][] = [];
  let pending = '';
  const pushed = await slipway.push(dir, app, {
    onOutput: (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /-----> (.*?)\s*$/.exec(line);
        if (m) marks.push([m[1]!, performance.now() - start]);
        // After the image is committed: recording the release and starting the new dynos.
        if (/ Done: /.test(line)) marks.push(['(record the release, start the dynos, wait for $PORT)', performance.now() - start]);
      }
    },
  });
  if (pushed.code !== 0) throw new Error(`push failed:\n${pushed.output}`);
  for (;;) {
    const r = await slipway.viaRouter(app).catch(() => null);
    if (r?.status === 200 && r.body.startsWith(expect)) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  const totalMs = performance.now() - start;
  const steps: [string, number][] = marks.map(([name, at], i) => [name, (marks[i + 1]?.[1] ?? totalMs) - at]);
  steps.unshift(['(git transfer, until the first step)', marks[0]?.[1] ?? 0]);
  const slug = /Done: (\S+)/.exec(pushed.output)?.[1] ?? '?';
  return { totalMs, steps, slug };
}

async function commit(dir: string, message: string): Promise<void> {
  await git(dir, ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qam', message]);
}

async function main(): Promise<void> {
  const slipway = new Instance();
  await slipway.start();
  const app = `build-${Date.now().toString(36)}`;
  const dir = await slipway.prepareFixture('node-express');
  try {
    await slipway.api('POST', '/apps', { name: app });
    const cold = await pushAndServe(slipway, dir, app, 'hello from');

    await run('sed', ['-i', 's/hello from/hi from/', 'server.js'], { cwd: dir });
    await commit(dir, 'source change only');
    const warm = await pushAndServe(slipway, dir, app, 'hi from');

    // A changed lockfile (the package version moves in both files): npm runs again, with its cache warm.
    for (const file of ['package.json', 'package-lock.json']) {
      const text = await readFile(join(dir, file), 'utf8');
      await writeFile(join(dir, file), text.replace(/"version": "1\.0\.0"/g, '"version": "1.0.1"'));
    }
    await run('sed', ['-i', 's/hi from/hey from/', 'server.js'], { cwd: dir });
    await commit(dir, 'lockfile change');
    const changed = await pushAndServe(slipway, dir, app, 'hey from');

    const image = (await run('docker', ['image', 'inspect', '--format', '{{.Size}}', `slipway/${app}:v3`])).stdout.trim();
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log('build                              push to serving');
    console.log(`cold (new app, empty cache)        ${s(cold.totalMs).padStart(8)}`);
    console.log(`warm, unchanged lockfile           ${s(warm.totalMs).padStart(8)}   (target 5 s or less)`);
    console.log(`warm, changed lockfile             ${s(changed.totalMs).padStart(8)}`);
    console.log(`image: ${(Number(image) / 1024 / 1024).toFixed(0)} MB in all; slug (the app layer on the stack): ${warm.slug}`);
    for (const [name, r] of [['cold', cold], ['warm, unchanged lockfile', warm], ['warm, changed lockfile', changed]] as const) {
      console.log(`\nwhere the time goes: ${name}`);
      for (const [step, ms] of r.steps) console.log(`  ${s(ms).padStart(7)}  ${step}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await slipway.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
