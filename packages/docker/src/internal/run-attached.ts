import type { Writable } from 'node:stream';
import type Docker from 'dockerode';

/**
 * Starts a created container with its output attached first (so nothing is
 * lost), demultiplexes stdout and stderr into `out`, and resolves to its exit
 * code, or 124 when it was killed for running past `timeoutMs`.
 */
export async function runAttached(docker: Docker, container: Docker.Container, out: Writable, timeoutMs: number): Promise<number> {
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  docker.modem.demuxStream(stream, out, out);
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  await container.start();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    container.kill().catch(() => undefined);
  }, timeoutMs);
  try {
    const result = (await container.wait()) as { StatusCode: number };
    // The last output can trail the exit by a moment; never wait on it for long.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
    return timedOut ? 124 : result.StatusCode;
  } finally {
    clearTimeout(timer);
  }
}
