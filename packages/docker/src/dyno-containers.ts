import { randomBytes } from 'node:crypto';
import { PassThrough, type Writable } from 'node:stream';
import type Docker from 'dockerode';
import { DYNO_SIZES, LABELS, type ActualDyno, type AppName, type DynoSize } from '@slipway/core';
import { isConflict, isNotFound } from './client.js';

export interface DynoSpec {
  app: AppName;
  name: string; // web.1
  type: string;
  release: number;
  image: string;
  command: string;
  size: DynoSize;
  port: number | null;
  env: Record<string, string>;
  launcher?: 'slug' | 'image';
  useImageCommand?: boolean;
}

/**
 * How every dyno runs, formation or one-off. Host networking because only
 * loopback works here and the router proxies to 127.0.0.1:$PORT; Init so that
 * a Node PID 1 still gets SIGTERM; the size's memory and CPU shares; Docker
 * never restarts it (the dyno manager does); bounded json-file logs.
 */
export function dynoHostConfig(sizeName: DynoSize): Docker.HostConfig {
  const size = DYNO_SIZES[sizeName];
  return {
    NetworkMode: 'host',
    Init: true,
    Memory: size.memoryMb * 1024 * 1024,
    CpuShares: size.cpuShares,
    RestartPolicy: { Name: 'no' },
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
  };
}

/** Starts a formation dyno (see `dynoHostConfig` for how it runs). */
export async function startDyno(docker: Docker, instance: string, spec: DynoSpec): Promise<string> {
  const env = { ...spec.env, DYNO: spec.name, ...(spec.port ? { PORT: String(spec.port) } : {}) };
  const container = await docker.createContainer({
    name: `slipway-${instance.slice(0, 8)}-${spec.app}-${spec.name}-v${spec.release}-${randomBytes(3).toString('hex')}`,
    Image: spec.image,
    // Slugs run the command through /slipway/launch (the image's entrypoint);
    // Dockerfile images run as built, or the command with /bin/sh -c.
    ...(spec.launcher === 'image'
      ? spec.useImageCommand ? {} : { Entrypoint: ['/bin/sh', '-c'], Cmd: [spec.command] }
      : { Cmd: [spec.command] }),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABELS.instance]: instance,
      [LABELS.role]: 'dyno',
      [LABELS.app]: spec.app,
      [LABELS.release]: String(spec.release),
      [LABELS.processType]: spec.type,
      [LABELS.dyno]: spec.name,
      [LABELS.size]: spec.size,
      [LABELS.command]: spec.command,
      [LABELS.createdAt]: new Date().toISOString(),
      ...(spec.port ? { [LABELS.port]: String(spec.port) } : {}),
    },
    HostConfig: dynoHostConfig(spec.size),
  });
  await container.start();
  return container.id;
}

/** Every dyno container of this instance, running or not, from labels alone. */
export async function listDynos(docker: Docker, instance: string): Promise<ActualDyno[]> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.instance}=${instance}`, `${LABELS.role}=dyno`] },
  });
  return containers.map((c) => {
    const l = c.Labels;
    const exit = /Exited \((\d+)\)/.exec(c.Status);
    return {
      containerId: c.Id,
      app: l[LABELS.app] as AppName,
      name: l[LABELS.dyno] ?? '',
      type: l[LABELS.processType] ?? '',
      release: Number(l[LABELS.release] ?? 0),
      port: l[LABELS.port] ? Number(l[LABELS.port]) : null,
      size: (l[LABELS.size] ?? 'standard-1x') as DynoSize,
      command: l[LABELS.command] ?? '',
      running: c.State === 'running',
      exitCode: exit ? Number(exit[1]) : null,
      createdAt: l[LABELS.createdAt] ?? new Date(c.Created * 1000).toISOString(),
    };
  });
}

export async function isContainerRunning(docker: Docker, id: string): Promise<boolean> {
  try {
    const info = await docker.getContainer(id).inspect();
    return info.State.Running;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * SIGTERM, then SIGKILL after `graceSeconds` (Docker does both), then remove.
 * Checks the label first: an unlabelled container is never touched.
 */
export async function stopDyno(docker: Docker, instance: string, id: string, graceSeconds = 30): Promise<void> {
  const container = docker.getContainer(id);
  try {
    const info = await container.inspect();
    if (info.Config.Labels?.[LABELS.instance] !== instance) throw new Error(`refusing to stop container ${id}: not one of this Slipway's`);
    if (info.State.Running) await container.stop({ t: graceSeconds }).catch((err) => { if (!isConflict(err)) throw err; });
    await container.remove({ force: true });
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  }
}

/** Last lines of a container's output, demultiplexed, for crash reports. */
export async function dynoLogTail(docker: Docker, id: string, lines = 20): Promise<string> {
  const raw = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  demuxBuffer(raw, out);
  return Buffer.concat(chunks).toString('utf8');
}

function demuxBuffer(buf: Buffer, out: Writable): void {
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const size = buf.readUInt32BE(offset + 4);
    out.write(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  out.end();
}
