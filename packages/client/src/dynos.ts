import type { DynoSize, HerokuDyno } from '@slipway/core';
import { seg, type Http } from './http.js';

export function listDynos(http: Http, app: string): Promise<HerokuDyno[]> {
  return http.list(`/apps/${seg(app)}/dynos`);
}

/** Restarts every dyno, the dynos of one type (`web`) or one dyno (`web.1`). */
export async function restartDynos(http: Http, app: string, nameOrType?: string): Promise<void> {
  const path = nameOrType === undefined ? `/apps/${seg(app)}/dynos` : `/apps/${seg(app)}/dynos/${seg(nameOrType)}`;
  await http.request('DELETE', path);
}

export async function stopDyno(http: Http, app: string, name: string): Promise<void> {
  await http.request('POST', `/apps/${seg(app)}/dynos/${seg(name)}/actions/stop`);
}

export interface RunDynoOptions {
  command: string;
  /** true: the answer has an `attach_url` and the dyno starts when attached; false: run:detached. */
  attach?: boolean;
  env?: Record<string, string>;
  size?: DynoSize;
  /** Seconds until the dyno is stopped; the server's default is an hour. */
  timeToLive?: number;
}

/** A one-off dyno (`type: "run"`). */
export function runDyno(http: Http, app: string, opts: RunDynoOptions): Promise<HerokuDyno> {
  const body: Record<string, unknown> = { command: opts.command, attach: opts.attach ?? false, type: 'run' };
  if (opts.env !== undefined) body.env = opts.env;
  if (opts.size !== undefined) body.size = opts.size;
  if (opts.timeToLive !== undefined) body.time_to_live = opts.timeToLive;
  return http.request('POST', `/apps/${seg(app)}/dynos`, body);
}
