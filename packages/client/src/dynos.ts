import type { HerokuDyno } from '@slipway/core';
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
