import { Writable } from 'node:stream';

/**
 * Passes build output to the pusher as it comes and records it in batches, so
 * `builds:output` can replay it. The pusher going away never stops the recording.
 */
export function recordingOutput(pusher: Writable, record: (text: string) => Promise<void>): { stream: Writable; flush(): Promise<void> } {
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  const flushNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return chain;
    const text = pending;
    pending = '';
    chain = chain.then(() => record(text)).catch(() => undefined);
    return chain;
  };
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      pending += chunk.toString();
      if (pending.length > 16_384) void flushNow();
      else if (!timer) timer = setTimeout(() => void flushNow(), 100);
      if (pusher.destroyed || !pusher.writable) return done();
      if (pusher.write(chunk)) done();
      else pusher.once('drain', () => done());
    },
  });
  return { stream, flush: flushNow };
}
