import type { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { LABELS } from '@slipway/core';
import { isNotFound } from './client.js';
import { runAttached } from './internal/run-attached.js';

export interface TaskSpec {
  instance: string;
  app: string;
  release: number;
  image: string;
  /** What to run: a slug image gets the command as the launcher's argument; an image release runs it with /bin/sh -c. */
  command: string;
  launcher: 'slug' | 'image';
  env: Record<string, string>;
  role: string;
  memoryMb: number;
  timeoutMs: number;
}

/**
 * Runs one command to completion in a throwaway container (the release phase),
 * streaming its output, and resolves to its exit code (124 on timeout). The
 * container is removed whatever happens.
 */
export async function runTask(docker: Docker, spec: TaskSpec, out: Writable, signal?: AbortSignal): Promise<number> {
  const container = await docker.createContainer({
    Image: spec.image,
    ...(spec.launcher === 'image' ? { Entrypoint: ['/bin/sh', '-c'], Cmd: [spec.command] } : { Cmd: [spec.command] }),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: { [LABELS.instance]: spec.instance, [LABELS.role]: spec.role, [LABELS.app]: spec.app, [LABELS.release]: String(spec.release) },
    HostConfig: { NetworkMode: 'host', Init: true, Memory: spec.memoryMb * 1024 * 1024 },
  });
  const kill = () => void container.kill().catch(() => undefined);
  signal?.addEventListener('abort', kill, { once: true });
  try {
    return await runAttached(docker, container, out, spec.timeoutMs);
  } finally {
    signal?.removeEventListener('abort', kill);
    await container.remove({ force: true }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
