import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeApi } from '../../helpers/fake-api.js';
import { emptyDir, runSlipway } from '../../helpers/run.js';
import { sniEndpointFixture } from '../../helpers/domain-fixtures.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';

describe('certs:add', () => {
  const api = new FakeApi();
  let dir = '';
  const add = (...args: string[]) => runSlipway(['certs:add', ...args], { apiUrl: api.url, cwd: dir });

  before(async () => {
    await api.start();
    dir = emptyDir();
    writeFileSync(join(dir, 'server.crt'), CERT);
    writeFileSync(join(dir, 'server.key'), KEY);
    writeFileSync(join(dir, 'empty.pem'), '\n');
    mkdirSync(join(dir, 'certs.d'));
  });
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'POST /apps/demo/sni-endpoints': { status: 201, body: sniEndpointFixture('sni-1f0c2a9b', { issuer: 'CN=Example CA', subject: 'CN=www.example.com', 'self_signed?': false }) },
    }),
  );

  it('sends both PEM files, read relative to the working directory, and prints the details', async () => {
    const { code, stdout, stderr } = await add('server.crt', 'server.key', '-a', 'demo');
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['POST /apps/demo/sni-endpoints']);
    assert.deepEqual(api.requests[0]!.body, { certificate_chain: CERT, private_key: KEY });
    assert.equal(stderr, 'Adding SSL certificate to ⬢ demo... done\n');
    assert.equal(
      stdout,
      [
        '=== sni-1f0c2a9b Certificate details',
        'ID:             1f0c2a9b-0000-4000-8000-000000000000',
        'Common Name(s): www.example.com',
        'Expires At:     2027/01/01 00:00:00 +0000',
        'Issuer:         CN=Example CA',
        'Starts At:      2026/01/01 00:00:00 +0000',
        'Subject:        CN=www.example.com',
        '',
      ].join('\n'),
    );
  });

  it('says when the certificate is self signed', async () => {
    api.reset({ 'POST /apps/demo/sni-endpoints': { status: 201, body: sniEndpointFixture('sni-1f0c2a9b') } });
    const { stdout } = await add(join(dir, 'server.crt'), join(dir, 'server.key'), '-a', 'demo');
    assert.match(stdout, /\nSSL certificate is self signed\.\n$/);
  });

  it('prints the API body alone with --json', async () => {
    const { code, stdout } = await add('server.crt', 'server.key', '-a', 'demo', '--json');
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).name, 'sni-1f0c2a9b');
  });

  it('names a file it cannot read and sends nothing', async () => {
    const cases: [string[], string][] = [
      [['missing.crt', 'server.key'], ' !    Could not read the certificate file missing.crt: no such file.\n'],
      [['server.crt', 'missing.key'], ' !    Could not read the private key file missing.key: no such file.\n'],
      [['certs.d', 'server.key'], ' !    Could not read the certificate file certs.d: it is a directory.\n'],
      [['empty.pem', 'server.key'], ' !    The certificate file empty.pem is empty.\n'],
    ];
    for (const [files, message] of cases) {
      const { code, stdout, stderr } = await add(...files, '-a', 'demo');
      assert.equal(code, 1, files.join(' '));
      assert.equal(stdout, '');
      assert.equal(stderr, message);
    }
    assert.deepEqual(api.requests, []);
  });

  it('refuses the files given the wrong way round', async () => {
    const { code, stderr } = await add('server.key', 'server.crt', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stderr, ' !    server.key holds a private key and server.crt a certificate: give the certificate first, as certs:add CERT_FILE KEY_FILE.\n');
    assert.deepEqual(api.requests, []);
  });

  it("reports the API's refusal and exits 1", async () => {
    api.reset({ 'POST /apps/demo/sni-endpoints': { status: 422, body: { id: 'unprocessable_entity', message: 'private_key does not match the certificate.' } } });
    const { code, stdout, stderr } = await add('server.crt', 'server.key', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'Adding SSL certificate to ⬢ demo... !\n !    private_key does not match the certificate.\n');
  });

  it('exits 1 without the key file', async () => {
    const { code, stderr } = await add('server.crt', '-a', 'demo');
    assert.equal(code, 1);
    assert.match(stderr, /^ !    missing required argument 'key-file'/);
  });
});
