import type { HerokuRelease } from '@slipway/core';
import { seg, type Http } from './http.js';

export function listReleases(http: Http, app: string): Promise<HerokuRelease[]> {
  return http.list(`/apps/${seg(app)}/releases`);
}

/** A release by its id or its version number. */
export function getRelease(http: Http, app: string, idOrVersion: string | number): Promise<HerokuRelease> {
  return http.request('GET', `/apps/${seg(app)}/releases/${seg(idOrVersion)}`);
}

/** Creates a new release that copies the given one; answers the new release. */
export function rollback(http: Http, app: string, idOrVersion: string | number): Promise<HerokuRelease> {
  return http.request('POST', `/apps/${seg(app)}/releases`, { release: idOrVersion });
}
