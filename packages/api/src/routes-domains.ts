import { createPrivateKey, X509Certificate } from 'node:crypto';
import { Router } from 'express';
import { SlipwayError, type AppRecord } from '@slipway/core';
import {
  addDomain, addSniEndpoint, getApp, listDomains, listSniEndpoints, removeDomain, removeSniEndpoint,
  type DomainRecord, type RedisConnection, type SniEndpointRecord,
} from '@slipway/store';
import type { ApiSettings } from './operations.js';

/** Heroku's domain shape. The app's own `<app>.<domain>` is listed first, as kind `heroku`. */
function herokuDomain(d: DomainRecord, app: AppRecord) {
  return {
    id: d.id,
    hostname: d.hostname,
    kind: 'custom',
    cname: null,
    status: 'succeeded',
    acm_status: null,
    sni_endpoint: null,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    app: { id: app.id, name: app.name },
  };
}

/** Heroku's sni-endpoint shape, with the certificate's facts; never the private key. */
function herokuSniEndpoint(e: SniEndpointRecord, app: AppRecord) {
  const facts = certificateFacts(e.certificateChain);
  return {
    id: e.id,
    name: e.name,
    certificate_chain: e.certificateChain,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    app: { id: app.id, name: app.name },
    ssl_cert: facts,
    domains: [],
  };
}

function certificateFacts(chain: string) {
  const cert = new X509Certificate(chain);
  const names = (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1]?.toLowerCase();
  return {
    cert_domains: names.length > 0 ? names : cn ? [cn] : [],
    starts_at: new Date(cert.validFrom).toISOString(),
    expires_at: new Date(cert.validTo).toISOString(),
    issuer: cert.issuer.replace(/\n/g, ', '),
    subject: cert.subject.replace(/\n/g, ', '),
    'self_signed?': cert.issuer === cert.subject,
  };
}

/** Rejects what the router could not serve: an unparseable chain, or a key that does not match it. */
function checkCertificate(body: unknown): { certificateChain: string; privateKey: string } {
  const { certificate_chain: chain, private_key: key } = (body ?? {}) as { certificate_chain?: unknown; private_key?: unknown };
  if (typeof chain !== 'string' || typeof key !== 'string' || chain === '' || key === '') {
    throw new SlipwayError('invalid_params', 'Expected {"certificate_chain": "<PEM>", "private_key": "<PEM>"}.');
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(chain);
  } catch {
    throw new SlipwayError('unprocessable_entity', 'certificate_chain is not a PEM certificate.', 'sni-endpoint');
  }
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new SlipwayError('unprocessable_entity', 'private_key is not a PEM private key.', 'sni-endpoint');
  }
  if (!matches) throw new SlipwayError('unprocessable_entity', 'private_key does not match the certificate.', 'sni-endpoint');
  return { certificateChain: chain, privateKey: key };
}

/** `GET/POST /apps/{app}/domains`, `DELETE /apps/{app}/domains/{hostname}`, and the same for `sni-endpoints`. */
export function domainsRoutes(redis: RedisConnection, settings: ApiSettings): Router {
  const r = Router();

  r.get('/apps/:app/domains', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const own = new URL(settings.webUrl(app.name)).hostname;
    const builtIn = { id: app.id, hostname: own, kind: 'heroku', cname: null, status: 'succeeded', acm_status: null, sni_endpoint: null, created_at: app.createdAt, updated_at: app.createdAt, app: { id: app.id, name: app.name } };
    res.json([builtIn, ...(await listDomains(redis, app.name)).map((d) => herokuDomain(d, app))]);
  });

  r.post('/apps/:app/domains', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const hostname = (req.body as { hostname?: unknown } | undefined)?.hostname;
    if (typeof hostname !== 'string') throw new SlipwayError('invalid_params', 'Expected {"hostname": "www.example.com"}.');
    res.status(201).json(herokuDomain(await addDomain(redis, app.name, hostname), app));
  });

  r.delete('/apps/:app/domains/:hostname', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json(herokuDomain(await removeDomain(redis, app.name, req.params.hostname), app));
  });

  r.get('/apps/:app/sni-endpoints', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json((await listSniEndpoints(redis, app.name)).map((e) => herokuSniEndpoint(e, app)));
  });

  r.post('/apps/:app/sni-endpoints', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const cert = checkCertificate(req.body);
    res.status(201).json(herokuSniEndpoint(await addSniEndpoint(redis, app.name, cert), app));
  });

  r.delete('/apps/:app/sni-endpoints/:id', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json(herokuSniEndpoint(await removeSniEndpoint(redis, app.name, req.params.id), app));
  });

  return r;
}
