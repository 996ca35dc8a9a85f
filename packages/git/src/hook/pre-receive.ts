/**
 * Runs as the bare repository's pre-receive hook, inside `git receive-pack`.
 * New objects are still in git's quarantine here, so this process (which has
 * the quarantine environment) makes the tar, and the daemon builds from it.
 * Its stdout reaches the pusher as `remote:` lines; a non-zero exit rejects the push.
 */
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { decideRefUpdates, parseRefUpdates } from '../deploy-ref.js';
import { HOOK_PATH, HOOK_TOKEN_HEADER, VERDICT_PREFIX } from './protocol.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function fail(message: string): never {
  process.stdout.write(` !     ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const hookUrl = process.env.SLIPWAY_HOOK_URL;
  const token = process.env.SLIPWAY_HOOK_TOKEN;
  const app = process.env.SLIPWAY_APP;
  if (!hookUrl || !token || !app) fail('This repository only accepts pushes through Slipway.');

  const decision = decideRefUpdates(parseRefUpdates(await readStdin()));
  if (decision.kind === 'reject') fail(decision.message);
  const { oldRev, newRev, ref } = decision.update;

  const archive = spawn('git', ['archive', '--format=tar', '--prefix=app/', newRev], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new URL(HOOK_PATH, hookUrl);
  url.searchParams.set('app', app);
  url.searchParams.set('ref', ref);
  url.searchParams.set('old', oldRev);
  url.searchParams.set('new', newRev);

  const code = await new Promise<number>((resolve) => {
    const req = request(url, { method: 'POST', headers: { [HOOK_TOKEN_HEADER]: token, 'content-type': 'application/x-tar' } }, (res) => {
      let verdict = 1;
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        const at = pending.indexOf(VERDICT_PREFIX);
        if (at >= 0) {
          const tail = pending.slice(at + VERDICT_PREFIX.length);
          const m = /^(\d+)/.exec(tail);
          if (m) verdict = Number(m[1]);
          process.stdout.write(pending.slice(0, at));
          pending = '';
          return;
        }
        // Hold back only what could be the start of the verdict marker.
        const keep = pending.lastIndexOf('\n');
        if (keep >= 0) {
          process.stdout.write(pending.slice(0, keep + 1));
          pending = pending.slice(keep + 1);
        }
      });
      res.on('end', () => {
        if (pending && !pending.includes(VERDICT_PREFIX)) process.stdout.write(pending);
        resolve(res.statusCode === 200 ? verdict : 1);
      });
      res.on('error', () => resolve(1));
    });
    req.on('error', (err) => {
      process.stdout.write(` !     Could not reach the Slipway daemon: ${err.message}\n`);
      resolve(1);
    });
    archive.stdout.pipe(req);
    archive.on('exit', (status) => {
      if (status !== 0) req.destroy(new Error(`git archive exited with ${status}`));
    });
  });
  process.exit(code);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
