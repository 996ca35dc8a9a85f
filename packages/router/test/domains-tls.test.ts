import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppName } from '@slipway/core';
import { addDomain, addSniEndpoint, connectRedis, putAppRoutes, removeDomain, removeSniEndpoint, setRoutesMaintenance, type RedisConnection } from '@slipway/store';
import { startRouter, type Router } from '../src/index.js';
import { eventually, request, startDyno, type Echo } from './support/http.js';
import { TestRedis } from './support/redis-server.js';

const DOMAIN = 'slipway.test';

/** A self-signed certificate for `names` (the first is the CN), made with openssl; RSA unless `ec`. */
function selfSigned(dir: string, file: string, names: string[], ec = false): { cert: string; key: string } {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', ...(ec ? ['ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['rsa:2048']), '-nodes', '-days', '2',
    '-keyout', join(dir, `${file}.key`), '-out', join(dir, `${file}.pem`),
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
  ], { stdio: 'ignore' });
  return { cert: readFileSync(join(dir, `${file}.pem`), 'utf8'), key: readFileSync(join(dir, `${file}.key`), 'utf8') };
}

function httpsGet(port: number, servername: string, ca: string): Promise<{ status: number; body: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, servername, path: '/', headers: { host: servername }, ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        resolve({ status: res.statusCode ?? 0, body, cn: String(peer.subject?.CN ?? '') });
      });
    });
    req.on('error', reject);
  });
}

describe('custom domains, maintenance and TLS', () => {
  const redisServer = new TestRedis();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-router-tls-'));
  let redis: RedisConnection;
  let router: Router;
  let wildcard: { cert: string; key: string };
  let custom: { cert: string; key: string };
  const dynos: Array<{ close(): Promise<void> }> = [];

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-domains-test');
    wildcard = selfSigned(dir, 'default', [`*.${DOMAIN}`]);
    custom = selfSigned(dir, 'custom', ['www.example.com']);
    const web = await startDyno('web.1');
    dynos.push(web);
    await putAppRoutes(redis, { app: 'demo' as AppName, hostnames: [], maintenance: false, targets: [{ dyno: 'web.1', port: web.port, release: 1 }] });
    await putAppRoutes(redis, { app: 'other' as AppName, hostnames: [], maintenance: false, targets: [{ dyno: 'web.1', port: web.port, release: 1 }] });
    router = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', tlsPort: 0, defaultCert: wildcard, log: () => undefined });
  });

  after(async () => {
    await router?.close();
    await Promise.all(dynos.map((d) => d.close()));
    redis?.disconnect();
    await redisServer.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes a custom domain once it is added, and no longer once it is removed', async () => {
    await addDomain(redis, 'demo' as AppName, 'WWW.Example.com');
    await eventually(async () => ((await request(router.port, 'www.example.com')).status === 200 ? true : undefined), 'www.example.com to route');
    await removeDomain(redis, 'demo' as AppName, 'www.example.com');
    await eventually(async () => ((await request(router.port, 'www.example.com')).status === 404 ? true : undefined), 'www.example.com to stop routing');
  });

  it('gives a hostname to one app only', async () => {
    await addDomain(redis, 'demo' as AppName, 'shop.example.com');
    await assert.rejects(addDomain(redis, 'other' as AppName, 'shop.example.com'), (err: { id?: string }) => err.id === 'conflict');
    await assert.rejects(addDomain(redis, 'demo' as AppName, 'shop.example.com'), (err: { id?: string }) => err.id === 'conflict');
    await assert.rejects(addDomain(redis, 'demo' as AppName, 'not a hostname'), (err: { id?: string }) => err.id === 'invalid_params');
  });

  it('answers 503 in maintenance mode and serves again after', async () => {
    await setRoutesMaintenance(redis, 'demo' as AppName, true);
    await eventually(async () => {
      const reply = await request(router.port, 'demo.slipway.test');
      return reply.status === 503 && /maintenance/.test(reply.body) ? true : undefined;
    }, 'the maintenance page');
    await setRoutesMaintenance(redis, 'demo' as AppName, false);
    await eventually(async () => ((await request(router.port, 'demo.slipway.test')).status === 200 ? true : undefined), 'demo to serve again');
  });

  it('serves HTTPS with the default certificate and says so in X-Forwarded-Proto', async () => {
    assert.ok(router.tlsPort);
    const reply = await httpsGet(router.tlsPort, 'demo.slipway.test', wildcard.cert);
    assert.equal(reply.status, 200);
    assert.equal(reply.cn, `*.${DOMAIN}`);
    const seen = JSON.parse(reply.body) as Echo;
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-port'], String(router.tlsPort));
  });

  it('picks an uploaded certificate by SNI for its custom domain', async () => {
    await addDomain(redis, 'demo' as AppName, 'www.example.com');
    const endpoint = await addSniEndpoint(redis, 'demo' as AppName, { certificateChain: custom.cert, privateKey: custom.key });
    const reply = await eventually(async () => {
      const r = await httpsGet(router.tlsPort as number, 'www.example.com', custom.cert).catch(() => undefined);
      return r?.cn === 'www.example.com' ? r : undefined;
    }, 'the uploaded certificate to be served');
    assert.equal(reply.status, 200);
    await removeSniEndpoint(redis, 'demo' as AppName, endpoint.id);
    // Back to the default certificate, which does not cover www.example.com.
    await eventually(async () => ((await httpsGet(router.tlsPort as number, 'www.example.com', custom.cert).then(() => false, () => true)) ? true : undefined), 'the certificate to be withdrawn');
  });
});

describe('certificates issued on demand', () => {
  const redisServer = new TestRedis();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-router-issue-'));
  let redis: RedisConnection;
  const routers: Router[] = [];
  const dynos: Array<{ close(): Promise<void> }> = [];
  let fallback: { cert: string; key: string };
  const asked: string[] = [];
  let made = 0;
  /** An issuer that makes a self-signed certificate for the hostname (each is its own trust root in the test). */
  const issueCertificate = async (hostname: string) => {
    asked.push(hostname);
    return selfSigned(dir, `issued-${made++}`, [hostname]);
  };

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-issue-test');
    // ECDSA, while the uploaded one below is RSA: the default must not be served beside it (see listener.ts).
    fallback = selfSigned(dir, 'fallback', [`*.${DOMAIN}`], true);
    const web = await startDyno('web.1');
    dynos.push(web);
    await putAppRoutes(redis, { app: 'demo' as AppName, hostnames: ['shop.example.com', '*.wild.example.com'], maintenance: false, targets: [{ dyno: 'web.1', port: web.port, release: 1 }] });
  });

  after(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await Promise.all(dynos.map((d) => d.close()));
    redis?.disconnect();
    await redisServer.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const separateProcess of [false, true]) {
    it(`asks the issuer once per exact hostname it serves, and the default covers the rest (${separateProcess ? 'from a worker process' : 'in process'})`, async () => {
      asked.length = 0;
      const router = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', tlsPort: 0, defaultCert: fallback, issueCertificate, separateProcess, log: () => undefined });
      routers.push(router);
      const port = router.tlsPort as number;
      const peer = (host: string): Promise<{ status: number; cert: string }> =>
        new Promise((resolve, reject) => {
          const req = https.get({ host: '127.0.0.1', port, servername: host, path: '/', headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
            res.resume();
            const c = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, cert: `${String(c.subject?.CN ?? '')}|${c.fingerprint256}` }));
          });
          req.on('error', reject);
        });
      const first = await peer('demo.slipway.test');
      assert.equal(first.status, 200);
      assert.match(first.cert, /^demo\.slipway\.test\|/);
      assert.equal((await peer('demo.slipway.test')).cert, first.cert, 'the issued certificate is kept');
      assert.match((await peer('shop.example.com')).cert, /^shop\.example\.com\|/);
      // A name under a wildcard domain, or one nobody routes, gets the default: no openssl run per random name.
      assert.match((await peer('x.wild.example.com')).cert, /^\*\.slipway\.test\|/);
      assert.match((await peer('nobody.slipway.test')).cert, /^\*\.slipway\.test\|/);
      assert.deepEqual(asked, ['demo.slipway.test', 'shop.example.com']);
      // And the issued certificate validates for its name.
      const ca = readFileSync(join(dir, `issued-${made - 2}.pem`), 'utf8');
      assert.equal((await httpsGet(port, 'demo.slipway.test', ca)).status, 200);
      // An uploaded certificate wins over the issued one, as soon as it arrives.
      const uploaded = selfSigned(dir, `uploaded-${separateProcess}`, ['shop.example.com']);
      const endpoint = await addSniEndpoint(redis, 'demo' as AppName, { certificateChain: uploaded.cert, privateKey: uploaded.key });
      await eventually(async () => ((await httpsGet(port, 'shop.example.com', uploaded.cert).catch(() => undefined))?.status === 200 ? true : undefined), 'the uploaded certificate to win');
      await removeSniEndpoint(redis, 'demo' as AppName, endpoint.id);
    });
  }
});
