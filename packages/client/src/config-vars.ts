import type { ConfigVars, ConfigVarsPatch } from '@slipway/core';
import { seg, type Http } from './http.js';

export function getConfigVars(http: Http, app: string): Promise<ConfigVars> {
  return http.request('GET', `/apps/${seg(app)}/config-vars`);
}

/** `null` unsets a key. Answers the full map after the change. */
export function updateConfigVars(http: Http, app: string, patch: ConfigVarsPatch): Promise<ConfigVars> {
  return http.request('PATCH', `/apps/${seg(app)}/config-vars`, { ...patch });
}
