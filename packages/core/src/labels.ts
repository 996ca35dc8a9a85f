/**
 * Docker labels on everything Slipway creates. Dynos are discovered from these
 * labels alone; an object without `io.slipway.instance` is never touched.
 */
export const LABELS = {
  instance: 'io.slipway.instance',
  app: 'io.slipway.app',
  release: 'io.slipway.release',
  processType: 'io.slipway.process-type',
  dyno: 'io.slipway.dyno',
  port: 'io.slipway.port',
  size: 'io.slipway.size',
  command: 'io.slipway.command',
  role: 'io.slipway.role', // dyno | build | release | run
  /** One-off dynos (role `run`): `true` when a client attaches, `false` for run:detached. */
  attach: 'io.slipway.attach',
  /** One-off dynos: when the time to live runs out (ms since the epoch). */
  expiresAt: 'io.slipway.expires-at',
  /** Creation time in milliseconds (ISO), finer than Docker's own seconds, for restart ordering. */
  createdAt: 'io.slipway.created-at',
} as const;

/** `web.1`: type and index. */
export function dynoName(type: string, index: number): string {
  return `${type}.${index}`;
}

export function parseDynoName(name: string): { type: string; index: number } | null {
  const match = /^([A-Za-z0-9_-]+)\.(\d+)$/.exec(name);
  if (!match) return null;
  return { type: match[1] as string, index: Number(match[2]) };
}

export function imageName(app: string, version: number): string {
  return `slipway/${app}:v${version}`;
}
