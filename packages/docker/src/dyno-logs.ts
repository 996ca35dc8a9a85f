import type Docker from 'dockerode';
import { dockerSinceParam } from '@slipway/core';

/** One line a dyno wrote, with Docker's own timestamp (`2026-01-02T03:04:05.123456789Z`). */
export interface DynoOutputLine {
  timestamp: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface DynoLogFollower {
  /** Stop reading (back-pressure); Docker keeps the output. */
  pause(): void;
  resume(): void;
  /** Detach; `ended` resolves soon after. */
  stop(): void;
  /** Resolves when the output ends: the container stopped, `stop()` was called, or the connection broke. */
  readonly ended: Promise<void>;
}

/**
 * Follows a dyno container's stdout and stderr from `since` (a Docker timestamp;
 * null for the beginning), demultiplexed into lines. Docker's `since` includes
 * lines written at exactly that time, so a caller resuming from its last line
 * should skip lines with a timestamp not after it.
 */
export async function followDynoLogs(
  docker: Docker,
  containerId: string,
  since: string | null,
  onLine: (line: DynoOutputLine) => void,
): Promise<DynoLogFollower> {
  const raw = (await docker.getContainer(containerId).logs({
    follow: true,
    stdout: true,
    stderr: true,
    timestamps: true,
    since: since ? dockerSinceParam(since) : 0,
  })) as NodeJS.ReadableStream & { destroy?: () => void };

  const partial = { stdout: '', stderr: '' };
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  let pending: Buffer = Buffer.alloc(0);

  const emit = (stream: 'stdout' | 'stderr', text: string): void => {
    const space = text.indexOf(' ');
    const timestamp = space > 0 ? text.slice(0, space) : '';
    if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(timestamp)) return; // not a line Docker prefixed; nothing to resume from
    onLine({ timestamp, stream, text: text.slice(space + 1) });
  };
  const write = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    const lines = (partial[stream] + decoders[stream].decode(chunk, { stream: true })).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const l of lines) emit(stream, l.endsWith('\r') ? l.slice(0, -1) : l);
  };

  // Docker's multiplexed framing: [stream, 0, 0, 0, size (uint32 BE)] then `size` bytes.
  raw.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const stream = pending[0] === 2 ? 'stderr' : 'stdout';
      write(stream, pending.subarray(8, 8 + size));
      pending = pending.subarray(8 + size);
    }
  });

  const ended = new Promise<void>((resolve) => {
    const finish = (): void => {
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = partial[stream] + decoders[stream].decode();
        partial[stream] = '';
        if (rest) emit(stream, rest);
      }
      resolve();
    };
    let done = false;
    const once = (): void => {
      if (!done) {
        done = true;
        finish();
      }
    };
    raw.on('end', once);
    raw.on('close', once);
    raw.on('error', once);
  });

  return {
    pause: () => void raw.pause(),
    resume: () => void raw.resume(),
    stop: () => raw.destroy?.(),
    ended,
  };
}
