import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import type Docker from 'dockerode';
import { LABELS, ONE_OFF_TYPE, type AppName, type DynoSize } from '@slipway/core';
import { isConflict, isNotFound } from './client.js';
import { dynoHostConfig } from './dyno-containers.js';

/**
 * One-off dynos (`slipway run`): containers labelled `io.slipway.role=run`,
 * which the dyno manager never sees (it lists `role=dyno` only). Attached ones
 * are created with stdin open and started only once a client is attached, so
 * no output is lost; detached ones start at once.
 */
export interface OneOffSpec {
  app: AppName;
  name: string; // run.1
  release: number;
  image: string;
  command: string;
  launcher: 'slug' | 'image';
  size: DynoSize;
  env: Record<string, string>;
  attach: boolean;
  expiresAt: number; // ms since the epoch
}

export interface OneOffContainer {
  containerId: string;
  app: AppName;
  name: string;
  release: number;
  size: DynoSize;
  command: string;
  attach: boolean;
  expiresAt: number | null;
  /** Docker's state: `created` (waiting for its client), `running`, `exited`, ... */
  state: string;
  createdAt: string;
}

export async function createOneOff(docker: Docker, instance: string, spec: OneOffSpec): Promise<string> {
  const env = { ...spec.env, DYNO: spec.name };
  const container = await docker.createContainer({
    name: `slipway-${instance.slice(0, 8)}-${spec.app}-${spec.name}-${randomBytes(3).toString('hex')}`,
    Image: spec.image,
    // Slugs run the command through /slipway/launch (the image's entrypoint); image releases with /bin/sh -c.
    ...(spec.launcher === 'image' ? { Entrypoint: ['/bin/sh', '-c'], Cmd: [spec.command] } : { Cmd: [spec.command] }),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Tty: false,
    ...(spec.attach ? { OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true } : {}),
    Labels: {
      [LABELS.instance]: instance,
      [LABELS.role]: 'run',
      [LABELS.app]: spec.app,
      [LABELS.release]: String(spec.release),
      [LABELS.processType]: ONE_OFF_TYPE,
      [LABELS.dyno]: spec.name,
      [LABELS.size]: spec.size,
      [LABELS.command]: spec.command,
      [LABELS.attach]: String(spec.attach),
      [LABELS.expiresAt]: String(spec.expiresAt),
    },
    HostConfig: dynoHostConfig(spec.size),
  });
  return container.id;
}

export async function startOneOff(docker: Docker, id: string): Promise<void> {
  await docker.getContainer(id).start();
}

/** This instance's one-off containers, in any state, optionally of one app. */
export async function listOneOffs(docker: Docker, instance: string, app?: AppName): Promise<OneOffContainer[]> {
  const label = [`${LABELS.instance}=${instance}`, `${LABELS.role}=run`];
  if (app) label.push(`${LABELS.app}=${app}`);
  const containers = await docker.listContainers({ all: true, filters: { label } });
  return containers.map((c) => {
    const l = c.Labels;
    return {
      containerId: c.Id,
      app: l[LABELS.app] as AppName,
      name: l[LABELS.dyno] ?? '',
      release: Number(l[LABELS.release] ?? 0),
      size: (l[LABELS.size] ?? 'standard-1x') as DynoSize,
      command: l[LABELS.command] ?? '',
      attach: l[LABELS.attach] === 'true',
      expiresAt: l[LABELS.expiresAt] ? Number(l[LABELS.expiresAt]) : null,
      state: c.State,
      createdAt: new Date(c.Created * 1000).toISOString(),
    };
  });
}

/** Resolves with the exit code once the container has stopped (at once if it already has). */
export async function waitOneOff(docker: Docker, id: string): Promise<number> {
  const result = (await docker.getContainer(id).wait()) as { StatusCode: number };
  return result.StatusCode;
}

/** SIGTERM, then SIGKILL after `graceSeconds`; the container stays until `removeOneOff`. */
export async function stopOneOff(docker: Docker, id: string, graceSeconds: number): Promise<void> {
  await docker.getContainer(id).stop({ t: graceSeconds }).catch((err: unknown) => {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  });
}

/** Kills (if running) and removes; a container that is already gone is fine. Only role=run containers of this instance. */
export async function removeOneOff(docker: Docker, instance: string, id: string): Promise<void> {
  const container = docker.getContainer(id);
  try {
    const info = await container.inspect();
    const labels = info.Config.Labels ?? {};
    if (labels[LABELS.instance] !== instance || labels[LABELS.role] !== 'run') throw new Error(`refusing to remove container ${id}: not one of this Slipway's one-off dynos`);
    await container.remove({ force: true });
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  }
}

export interface OneOffAttachment {
  /** The command's stdin; `end()` is EOF. */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /**
   * The exit code, once the command has exited and its output has been read.
   * 127 or 126 when the container could not start at all (its reason goes to stderr).
   */
  exited: Promise<number>;
}

/**
 * Attaches to a created (not yet started) one-off container with a hijacked
 * connection, then starts it, so the first byte of output is not lost. Output
 * is demultiplexed from Docker's framing; a slow reader pauses the container's
 * output rather than buffering it without bound.
 */
export async function attachOneOff(docker: Docker, id: string): Promise<OneOffAttachment> {
  const container = docker.getContainer(id);
  const raw = (await container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true })) as Duplex;
  raw.on('error', () => undefined); // EPIPE on stdin after the command exited, say: `exited` tells what happened
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const drained = new Promise<void>((resolve) => {
    raw.once('end', resolve);
    raw.once('close', resolve);
    raw.once('error', () => resolve());
  });
  demux(raw, stdout, stderr);

  const exited = (async (): Promise<number> => {
    try {
      await container.start();
    } catch (err) {
      const info = await container.inspect().catch(() => null);
      const code = info?.State.ExitCode ? info.State.ExitCode : /not found|no such file/i.test(String(err)) ? 127 : 126;
      stderr.write(`slipway: cannot start the command: ${err instanceof Error ? err.message : String(err)}\n`);
      raw.destroy();
      return code;
    }
    const code = await waitOneOff(docker, id);
    // Docker closes the attach connection once the output is copied; do not wait on it forever.
    await Promise.race([drained, new Promise((r) => setTimeout(r, 2000).unref())]);
    return code;
  })().finally(() => {
    stdout.end();
    stderr.end();
  });

  // Writes to the hijacked socket are the container's stdin; end() half-closes it.
  return { stdin: raw, stdout, stderr, exited };
}

/** Docker's multiplexed framing: [stream, 0, 0, 0, size (uint32 BE)] then `size` bytes. */
function demux(raw: Duplex, stdout: PassThrough, stderr: PassThrough): void {
  let pending: Buffer = Buffer.alloc(0);
  const waiting = new Set<PassThrough>();
  const onDrain = (target: PassThrough) => () => {
    waiting.delete(target);
    if (waiting.size === 0) raw.resume();
  };
  const drainOut = onDrain(stdout);
  const drainErr = onDrain(stderr);
  raw.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const target = pending[0] === 2 ? stderr : stdout;
      const ok = target.write(pending.subarray(8, 8 + size));
      pending = pending.subarray(8 + size);
      if (!ok && !waiting.has(target)) {
        waiting.add(target);
        target.once('drain', target === stdout ? drainOut : drainErr);
        raw.pause();
      }
    }
  });
}
