import type { Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';
import { LABELS } from '@slipway/core';
import { isNotFound } from './client.js';
import { runAttached } from './internal/run-attached.js';

export interface BuildContainerSpec {
  instance: string;
  app: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  /** host path -> container path[:ro] */
  binds: string[];
  memoryMb: number;
}

export interface BuildRun {
  id: string;
  /** Resolves to the exit code; output goes to `out` as it happens. */
  run(source: Readable, out: Writable, timeoutMs: number): Promise<number>;
  commit(repo: string, tag: string, changes: string[]): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A build runs in a throwaway container from the stack image: host network, a
 * memory limit, no Docker socket, and only the env it is given.
 */
export async function createBuildContainer(docker: Docker, spec: BuildContainerSpec): Promise<BuildRun> {
  const container = await docker.createContainer({
    Image: spec.image,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: '/app',
    Labels: { [LABELS.instance]: spec.instance, [LABELS.role]: 'build', [LABELS.app]: spec.app },
    HostConfig: {
      NetworkMode: 'host',
      Init: true,
      Binds: spec.binds,
      Memory: spec.memoryMb * 1024 * 1024,
    },
  });

  return {
    id: container.id,
    async run(source, out, timeoutMs) {
      await container.putArchive(source, { path: '/' });
      // stdout and stderr both go to the pusher.
      return runAttached(docker, container, out, timeoutMs);
    },
    async commit(repo, tag, changes) {
      const result = (await container.commit({ repo, tag, changes })) as { Id: string };
      return result.Id;
    },
    async remove() {
      try {
        await container.remove({ force: true, v: true });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

/** Build containers left behind by a crashed daemon; they are removed at start-up. */
export async function removeStaleBuildContainers(docker: Docker, instance: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABELS.instance}=${instance}`, `${LABELS.role}=build`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  return list.length;
}
