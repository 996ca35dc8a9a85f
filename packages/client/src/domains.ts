import type { HerokuApp } from '@slipway/core';
import { seg, type Http } from './http.js';

/** Heroku's domain shape. `kind` is `heroku` for the app's own `<app>.<domain>`, `custom` for added ones. */
export interface HerokuDomain {
  id: string;
  hostname: string;
  kind: 'heroku' | 'custom';
  cname: string | null;
  status: string;
  acm_status: string | null;
  sni_endpoint: { id: string; name: string } | null;
  created_at: string;
  updated_at: string;
  app: { id: string; name: string };
}

/** Heroku's sni-endpoint shape, with the certificate's facts. The private key never comes back. */
export interface HerokuSniEndpoint {
  id: string;
  name: string;
  certificate_chain: string;
  created_at: string;
  updated_at: string;
  app: { id: string; name: string };
  ssl_cert: {
    cert_domains: string[];
    starts_at: string;
    expires_at: string;
    issuer: string;
    subject: string;
    'self_signed?': boolean;
  };
  domains: string[];
}

/** PEM text of a certificate (leaf first, then intermediates) and its private key. */
export interface SniEndpointInput {
  certificate_chain: string;
  private_key: string;
}

export function listDomains(http: Http, app: string): Promise<HerokuDomain[]> {
  return http.list(`/apps/${seg(app)}/domains`);
}

export function addDomain(http: Http, app: string, hostname: string): Promise<HerokuDomain> {
  return http.request('POST', `/apps/${seg(app)}/domains`, { hostname });
}

export function removeDomain(http: Http, app: string, hostname: string): Promise<HerokuDomain> {
  return http.request('DELETE', `/apps/${seg(app)}/domains/${seg(hostname)}`);
}

export function listSniEndpoints(http: Http, app: string): Promise<HerokuSniEndpoint[]> {
  return http.list(`/apps/${seg(app)}/sni-endpoints`);
}

export function addSniEndpoint(http: Http, app: string, cert: SniEndpointInput): Promise<HerokuSniEndpoint> {
  return http.request('POST', `/apps/${seg(app)}/sni-endpoints`, { certificate_chain: cert.certificate_chain, private_key: cert.private_key });
}

export function removeSniEndpoint(http: Http, app: string, idOrName: string): Promise<HerokuSniEndpoint> {
  return http.request('DELETE', `/apps/${seg(app)}/sni-endpoints/${seg(idOrName)}`);
}

/** `PATCH /apps/{app} {maintenance}`: the router answers 503 (H80) while it is on. */
export function setMaintenance(http: Http, app: string, on: boolean): Promise<HerokuApp> {
  return http.request('PATCH', `/apps/${seg(app)}`, { maintenance: on });
}
