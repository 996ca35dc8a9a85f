import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { LABELS } from '@slipway/core';

export interface DockerfileBuildSpec {
  tag: string;
  instance: string;
  app: string;
  release: number;
  memoryMb: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ImageConfig {
  cmd: string[];
  entrypoint: string[];
  exposedPorts: number[];
}

/**
 * Builds an app's own Dockerfile with host networking (the only network
 * here) and streams the build log, line by line, to `onLine`. Rejects with
 * the builder's error message when a step fails.
 */
export async function buildDockerfile(docker: Docker, context: Readable, spec: DockerfileBuildSpec, onLine: (line: string) => void): Promise<ImageConfig> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), spec.timeoutMs);
  const onAbort = () => controller.abort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
      t: spec.tag,
      networkmode: 'host',
      forcerm: true,
      memory: spec.memoryMb * 1024 * 1024,
      labels: { [LABELS.instance]: spec.instance, [LABELS.app]: spec.app, [LABELS.release]: String(spec.release) },
      abortSignal: controller.signal,
    } as Docker.ImageBuildOptions);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) reject(new Error(event.errorDetail?.message ?? event.error));
          for (const line of (event.stream ?? '').split('\n')) if (line.trim()) onLine(line.trimEnd());
        },
      );
    });
    if (controller.signal.aborted) throw new Error(spec.signal?.aborted ? 'The build was cancelled.' : 'timeout');
    const info = await docker.getImage(spec.tag).inspect();
    return {
      cmd: info.Config.Cmd ?? [],
      entrypoint: Array.isArray(info.Config.Entrypoint) ? info.Config.Entrypoint : info.Config.Entrypoint ? [info.Config.Entrypoint] : [],
      exposedPorts: Object.keys(info.Config.ExposedPorts ?? {}).map((p) => Number.parseInt(p, 10)).filter((p) => p > 0),
    };
  } catch (err) {
    if (controller.signal.aborted && !spec.signal?.aborted) throw new Error('timeout');
    throw err;
  } finally {
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
  }
}
