import type { Writable } from 'node:stream';

/** Heroku's build output conventions: `-----> ` for steps, six spaces for detail, ` !     ` for errors. */
export interface BuildOutput {
  step(text: string): void;
  info(text: string): void;
  error(text: string): void;
  raw: Writable;
}

export function buildOutput(raw: Writable): BuildOutput {
  const write = (s: string) => {
    if (!raw.destroyed && raw.writable) raw.write(s);
  };
  return {
    step: (text) => write(`-----> ${text}\n`),
    info: (text) => write(`       ${text}\n`),
    error: (text) => write(text.split('\n').map((l) => ` !     ${l}`).join('\n') + '\n'),
    raw,
  };
}
