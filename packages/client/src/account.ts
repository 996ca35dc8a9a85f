import type { HerokuAccount } from '@slipway/core';
import type { Http } from './http.js';

export function getAccount(http: Http): Promise<HerokuAccount> {
  return http.request('GET', '/account');
}
