import type { HerokuFormation } from '@slipway/core';
import { seg, type Http } from './http.js';

/**
 * One entry of `PATCH /apps/{app}/formation`. Quantities are absolute: relative
 * changes such as `web+1` are resolved by the caller against `listFormation`.
 */
export interface FormationPatch {
  type: string;
  quantity: number;
  size?: string;
}

export function listFormation(http: Http, app: string): Promise<HerokuFormation[]> {
  return http.list(`/apps/${seg(app)}/formation`);
}

export function updateFormation(http: Http, app: string, updates: readonly FormationPatch[]): Promise<HerokuFormation[]> {
  const body = updates.map(({ type, quantity, size }) => (size === undefined ? { type, quantity } : { type, quantity, size }));
  return http.request('PATCH', `/apps/${seg(app)}/formation`, { updates: body });
}
