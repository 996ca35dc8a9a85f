import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort, git, httpRequest, Instance, type HttpResult } from './helpers/instance.js';

const run = promisify(execFile);

/** A GET over HTTPS to 127.0.0.1 that asks for `servername` (SNI) and trusts only `ca`. */
function httpsGet(port: number, servername: string, ca: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/', servername, ca, headers: { Host: servername }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: https://${servername}:${port}/`)));
    req.end();
  });
}

describe('custom domains, certificates and maintenance mode', () => {
  const slipway = new Instance();
  const stamp = Date.now().toString(36);
  const a = `dom-a-${stamp}`;
  const b = `dom-b-${stamp}`;
  const www = 'www.example.test';
  const secure = 'secure.example.test';
  let tlsPort = 0;
  let certDir = '';
  let appDir = '';

  /** GET through the router with any Host header. */
  const viaHost = (host: string, path = '/') => httpRequest(`http://127.0.0.1:${slipway.routerPort}${path}`, { headers: { Host: host } });
  const answers = (host: string, status: number, body?: string) =>
    eventually(`${host} to answer ${status}`, async () => {
      const r = await viaHost(host);
      return r.status === status && (body === undefined || r.body === body) ? r : undefined;
    }, 30_000);

  before(async () => {
    tlsPort = await freePort();
    await slipway.start({ SLIPWAY_ROUTER_TLS_PORT: String(tlsPort) });
    for (const app of [a, b]) assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    appDir = await slipway.prepareFixture('node-express');
    const pushed = await slipway.push(appDir, a);
    assert.equal(pushed.code, 0, pushed.output);
    await eventually('the app to serve', async () => ((await slipway.viaRouter(a)).body === 'hello from web.1' ? true : undefined));
  });
  after(async () => {
    for (const dir of [certDir, appDir]) if (dir) await rm(dir, { recursive: true, force: true });
    await slipway.stop();
  });

  it('(domains:add) routes the hostname to the app, in any case and with a port', async () => {
    assert.equal((await viaHost(www)).status, 404, 'not routed before it is added');
    const added = await slipway.cli(['domains:add', www, '-a', a]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stderr, `Adding ${www} to ⬢ ${a}... done\n`);
    await answers(www, 200, 'hello from web.1');
    const shouting = await viaHost('WWW.EXAMPLE.TEST:80');
    assert.equal(shouting.status, 200);
    assert.equal(shouting.body, 'hello from web.1');
  });

  it('(domains:add) refuses a hostname another app has, with 409 conflict', async () => {
    const api = await slipway.api('POST', `/apps/${b}/domains`, { hostname: www });
    assert.equal(api.status, 409);
    assert.equal(api.json.id, 'conflict');
    const cli = await slipway.cli(['domains:add', www, '-a', b]);
    assert.equal(cli.code, 1);
    assert.equal(cli.stderr, `Adding ${www} to ⬢ ${b}... !\n !    ${www} is already in use by another app.\n`);
    assert.equal((await viaHost(www)).body, 'hello from web.1', 'still routed to the owner');
  });

  it('(domains) lists the app hostname and the custom one', async () => {
    const listed = await slipway.cli(['domains', '-a', a]);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `=== ${a} Domains`);
    assert.match(lines[1] ?? '', /^Domain Name +Kind +DNS Target$/);
    assert.match(lines[2] ?? '', new RegExp(`^${a}\\.localhost +heroku$`));
    assert.match(lines[3] ?? '', new RegExp(`^www\\.example\\.test +custom +${a}\\.localhost$`));
    const json = JSON.parse((await slipway.cli(['domains', '-a', a, '--json'])).stdout) as { hostname: string }[];
    assert.deepEqual(json.map((d) => d.hostname), [`${a}.localhost`, www]);
  });

  it('(certs:add) stores a certificate that the router serves over HTTPS by SNI', async () => {
    certDir = await mkdtemp(join(tmpdir(), 'slipway-certs-'));
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', `/CN=${secure}`, '-addext', `subjectAltName=DNS:${secure}`,
      '-keyout', join(certDir, 'server.key'), '-out', join(certDir, 'server.crt'),
    ]);
    assert.equal((await slipway.cli(['domains:add', secure, '-a', a])).code, 0);

    const added = await slipway.cli(['certs:add', 'server.crt', 'server.key', '-a', a], certDir);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stderr, `Adding SSL certificate to ⬢ ${a}... done\n`);
    assert.match(added.stdout, new RegExp(`^Common Name\\(s\\): ${secure}$`, 'm'));
    assert.match(added.stdout, /^SSL certificate is self signed\.$/m);

    const listed = await slipway.cli(['certs', '-a', a]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^sni-[0-9a-f]{8} +${secure.replaceAll('.', '\\.')} +\\d{4}/\\d\\d/\\d\\d `, 'm'));

    const ca = await readFile(join(certDir, 'server.crt'), 'utf8');
    const res = await eventually('the router to serve the certificate', () => httpsGet(tlsPort, secure, ca), 30_000);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello from web.1');
  });

  it('(https) serves every app at https://<app>.<domain> with a certificate the local CA issues for it', async () => {
    const ca = await readFile(join(slipway.home, 'tls', 'ca.crt'), 'utf8');
    const res = await httpsGet(tlsPort, `${a}.localhost`, ca);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello from web.1');
  });

  it('(certs:add) names a file it cannot read, and the API refuses a key that does not match', async () => {
    const missing = await slipway.cli(['certs:add', 'nope.crt', 'server.key', '-a', a], certDir);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, ' !    Could not read the certificate file nope.crt: no such file.\n');
    await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(certDir, 'other.key')]);
    const mismatch = await slipway.cli(['certs:add', 'server.crt', 'other.key', '-a', a], certDir);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, / !    private_key does not match the certificate\.\n$/);
    assert.equal(JSON.parse((await slipway.cli(['certs', '-a', a, '--json'])).stdout).length, 1);
  });

  it('(maintenance:on) answers 503 with a maintenance page and sends nothing to the dyno', async () => {
    assert.equal((await slipway.cli(['maintenance', '-a', a])).stdout, 'off\n');
    const on = await slipway.cli(['maintenance:on', '-a', a]);
    assert.equal(on.code, 0, on.stderr);
    assert.equal(on.stderr, `Enabling maintenance mode for ⬢ ${a}... done\n`);
    assert.equal((await slipway.cli(['maintenance', '-a', a])).stdout, 'on\n');

    const page = await eventually('the maintenance page', async () => {
      const r = await viaHost(www, `/probe-maintenance-${stamp}`);
      return r.status === 503 ? r : undefined;
    }, 30_000);
    assert.match(page.body, /maintenance/i);
    assert.equal((await slipway.viaRouter(a, `/probe-maintenance-${stamp}`)).status, 503, 'the app hostname too');

    const off = await slipway.cli(['maintenance:off', '-a', a]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stderr, `Disabling maintenance mode for ⬢ ${a}... done\n`);
    await eventually('the app to serve again', async () => ((await viaHost(www, `/probe-served-${stamp}`)).body.includes('Cannot GET') ? true : undefined), 30_000);

    // The app logs every request it gets; once the later request's line shows, the earlier ones would have too.
    const logs = await eventually('the served request in the app log', async () => {
      const r = await slipway.cli(['logs', '-a', a, '-n', '1500', '-s', 'app']);
      return r.stdout.includes(`GET /probe-served-${stamp}`) ? r.stdout : undefined;
    }, 30_000);
    assert.ok(!logs.includes(`/probe-maintenance-${stamp}`), 'no request reached the dyno during maintenance');
  });

  it('(git push) keeps the domains routed after a new deploy', async () => {
    await writeFile(join(appDir, 'CHANGES'), 'second deploy\n');
    await git(appDir, ['add', '-A']);
    await git(appDir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'second deploy']);
    const pushed = await slipway.push(appDir, a);
    assert.equal(pushed.code, 0, pushed.output);
    const releases = (await slipway.api('GET', `/apps/${a}/releases`)).json as { version: number; current: boolean }[];
    assert.equal(releases.find((r) => r.current)?.version, 2);
    await eventually('every dyno to run v2', async () => {
      const dynos = (await slipway.api('GET', `/apps/${a}/dynos`)).json as { state: string; release: { version: number } }[];
      return dynos.length > 0 && dynos.every((d) => d.release.version === 2 && d.state === 'up') ? true : undefined;
    }, 60_000);
    await answers(www, 200, 'hello from web.1');
    const ca = await readFile(join(certDir, 'server.crt'), 'utf8');
    assert.equal((await httpsGet(tlsPort, secure, ca)).body, 'hello from web.1');
  });

  it('(domains:remove) makes the hostname unknown to the router again', async () => {
    const removed = await slipway.cli(['domains:remove', www, '-a', a]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stderr, `Removing ${www} from ⬢ ${a}... done\n`);
    await answers(www, 404);
    assert.equal((await slipway.viaRouter(a)).body, 'hello from web.1', 'the app hostname still serves');
    const again = await slipway.cli(['domains:remove', www, '-a', a]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(` !    ${www.replaceAll('.', '\\.')} is not a domain of ${a}\\.\n$`));
  });

  it('(apps:destroy) frees the app hostnames for another app', async () => {
    assert.equal((await slipway.cli(['domains:add', secure, '-a', b])).code, 1, 'taken while the app exists');
    const destroyed = await slipway.cli(['apps:destroy', '-a', a, '--confirm', a]);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    const added = await slipway.cli(['domains:add', secure, '-a', b]);
    assert.equal(added.code, 0, added.stderr);
    const listed = JSON.parse((await slipway.cli(['domains', '-a', b, '--json'])).stdout) as { hostname: string }[];
    assert.deepEqual(listed.map((d) => d.hostname), [`${b}.localhost`, secure]);
    assert.equal((await slipway.cli(['certs', '-a', b, '--json'])).stdout, '[]\n', "the old app's certificate went with it");
  });
});
