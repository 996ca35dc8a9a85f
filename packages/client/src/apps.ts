import type { HerokuApp } from '@slipway/core';
import { seg, type Http } from './http.js';

export function listApps(http: Http): Promise<HerokuApp[]> {
  return http.list('/apps');
}

/** With no name the server generates one, like `sharp-river-1234`. */
export function createApp(http: Http, name?: string): Promise<HerokuApp> {
  return http.request('POST', '/apps', name === undefined ? {} : { name });
}

export function getApp(http: Http, app: string): Promise<HerokuApp> {
  return http.request('GET', `/apps/${seg(app)}`);
}

export function destroyApp(http: Http, app: string): Promise<HerokuApp> {
  return http.request('DELETE', `/apps/${seg(app)}`);
}
