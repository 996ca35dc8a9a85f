import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { SlipwayError } from '@slipway/core';

const MAX_SOURCE_BYTES = 512 * 1024 * 1024;

/**
 * Fetches a source tarball (`.tar.gz`, as Heroku's source_blob) and turns it
 * into the `app/`-prefixed tar the build stages take. A tarball whose only
 * entry is one directory (GitHub's archives) is unwrapped. Calls `cleanup`
 * when the caller is done with the stream.
 */
export async function fetchSourceTarball(url: string, tmpDir: string): Promise<{ source: Readable; cleanup(): Promise<void> }> {
  await mkdir(tmpDir, { recursive: true });
  const dir = await mkdtemp(join(tmpDir, 'source-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) });
    if (!res.ok || !res.body) throw new SlipwayError('invalid_params', `Could not download the source from ${url}: HTTP ${res.status}.`);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_SOURCE_BYTES) throw new SlipwayError('invalid_params', `The source at ${url} is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB.`);
    const archive = join(dir, 'source.tar.gz');
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(archive));
    const root = join(dir, 'src');
    await mkdir(join(root, 'app'), { recursive: true });
    const untar = await execa('tar', ['-xzf', archive, '-C', join(root, 'app'), '--no-same-owner'], { reject: false });
    if (untar.exitCode !== 0) throw new SlipwayError('invalid_params', `The source at ${url} is not a .tar.gz archive: ${untar.stderr.trim()}`);
    const entries = await readdir(join(root, 'app'));
    if (entries.length === 1 && (await stat(join(root, 'app', entries[0]!))).isDirectory()) {
      await execa('mv', [join(root, 'app'), join(root, 'wrapped')]);
      await execa('mv', [join(root, 'wrapped', entries[0]!), join(root, 'app')]);
    }
    // A file, not a pipe: Node discards a child's unread stdout when it exits,
    // and the caller may not read at once.
    const sourceTar = join(dir, 'source.tar');
    await execa('tar', ['-C', root, '-cf', sourceTar, 'app']);
    return { source: createReadStream(sourceTar), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
