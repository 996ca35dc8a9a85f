/**
 * Keeps a bounded load on an app (50 concurrent keep-alive clients) while it
 * deploys, sets a config var, scales 1 -> 3 -> 1 and rolls back, and prints the
 * failed or non-2xx requests (target 0), the p99 latency against the same load
 * with nothing happening, and the rollback time until the old code serves.
 * Runs its own Slipway on free ports; all traffic stays on 127.0.0.1.
 *
 *   node --import tsx bench/zero-downtime.ts [--clients 50] [--seconds 60]
 */
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { git, Instance } from '../test/e2e/helpers/instance.js';

const run = promisify(execFile);
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLIENTS = arg('clients', 50);
const SECONDS = arg('seconds', 60);

interface LoadResult {
  ok: number;
  failed: number;
  latencies: number[];
  bodies: Map<string, number>;
}

function get(agent: Agent, port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: host }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.setTimeout(30_000, () => req.destroy());
    req.end();
  });
}

/** Runs the load until `until` resolves, bounded by `maxMs`. */
async function load(port: number, host: string, until: Promise<unknown>, maxMs: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const result: LoadResult = { ok: 0, failed: 0, latencies: [], bodies: new Map() };
  let stop = false;
  void until.finally(() => (stop = true));
  const deadline = Date.now() + maxMs;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (!stop && Date.now() < deadline) {
        const t = performance.now();
        const r = await get(agent, port, host);
        result.latencies.push(performance.now() - t);
        if (r.status >= 200 && r.status < 300) result.ok++;
        else result.failed++;
        const code = r.body.replace(/ on web\.\d+$/, '');
        result.bodies.set(code, (result.bodies.get(code) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  return result;
}

const p = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

async function main(): Promise<void> {
  const slipway = new Instance();
  await slipway.start();
  const app = `zdt-${Date.now().toString(36)}`;
  const dir = await slipway.prepareFixture('node-release-phase');
  const host = `${app}.localhost`;
  try {
    await slipway.api('POST', '/apps', { name: app });
    const first = await slipway.push(dir, app);
    if (first.code !== 0) throw new Error(first.output);

    const baseline = await load(slipway.routerPort, host, new Promise((r) => setTimeout(r, 15_000)), 15_000);

    const steps: string[] = [];
    let rollbackMs = 0;
    const actions = (async () => {
      const started = Date.now();
      const step = async (name: string, fn: () => Promise<void>) => {
        const t = Date.now();
        await fn();
        steps.push(`${name.padEnd(28)} ${((Date.now() - t) / 1000).toFixed(1)} s`);
      };
      await step('deploy v2 (git push)', async () => {
        await run('sh', ['-c', 'echo two > VERSION'], { cwd: dir });
        await git(dir, ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qam', 'two']);
        const r = await slipway.push(dir, app);
        if (r.code !== 0) throw new Error(r.output);
      });
      await step('config:set', async () => void (await slipway.cli(['config:set', 'BENCH=1', '-a', app])));
      await step('scale web=3', async () => {
        await slipway.cli(['ps:scale', 'web=3', '-a', app]);
        while ((await slipway.api('GET', `/apps/${app}/dynos`)).json.filter((d: { state: string }) => d.state === 'up').length < 3) await new Promise((r) => setTimeout(r, 200));
      });
      await step('scale web=1', async () => {
        await slipway.cli(['ps:scale', 'web=1', '-a', app]);
        while ((await slipway.api('GET', `/apps/${app}/dynos`)).json.length > 1) await new Promise((r) => setTimeout(r, 200));
      });
      await step('rollback to v1', async () => {
        const t = performance.now();
        await slipway.cli(['rollback', 'v1', '-a', app]);
        for (;;) {
          const r = await get(new Agent(), slipway.routerPort, host);
          if (r.body.startsWith('code one')) break;
          await new Promise((res) => setTimeout(res, 20));
        }
        rollbackMs = performance.now() - t;
      });
      const left = SECONDS * 1000 - (Date.now() - started);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    })();
    const busy = await load(slipway.routerPort, host, actions, (SECONDS + 300) * 1000);
    await actions;

    console.log(`zero-downtime: ${CLIENTS} concurrent keep-alive clients through the router`);
    for (const s of steps) console.log(`  ${s}`);
    console.log('');
    console.log('phase                 requests   failed/non-2xx   p50 ms   p99 ms');
    for (const [name, r] of [['nothing happening', baseline], ['deploys and changes', busy]] as const) {
      console.log(`${name.padEnd(20)} ${String(r.ok + r.failed).padStart(9)}   ${String(r.failed).padStart(14)}   ${p(r.latencies, 0.5).toFixed(1).padStart(6)}   ${p(r.latencies, 0.99).toFixed(1).padStart(6)}`);
    }
    console.log('');
    console.log(`failed or non-2xx during changes: ${busy.failed} (target 0)`);
    console.log(`p99 ratio changes/baseline: ${(p(busy.latencies, 0.99) / p(baseline.latencies, 0.99)).toFixed(2)}`);
    console.log(`rollback until the old code serves: ${(rollbackMs / 1000).toFixed(2)} s (target < 2 s)`);
    console.log(`responses by code version: ${[...busy.bodies].map(([k, v]) => `${k || '(empty)'}=${v}`).join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await slipway.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
