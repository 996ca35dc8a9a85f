import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { sniEndpointFixture } from '../../helpers/domain-fixtures.js';

describe('certs', () => {
  const api = new FakeApi();
  const list = [
    sniEndpointFixture('sni-1f0c2a9b', { cert_domains: ['www.example.com', 'example.com'] }),
    sniEndpointFixture('sni-old', { cert_domains: ['old.example.com'], expires_at: '2025-06-01T00:00:00.000Z' }),
  ];
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'GET /apps/demo/sni-endpoints': { body: list }, 'GET /apps/bare/sni-endpoints': { body: [] } }));

  it('lists name, common names and expiry, marking expired certificates', async () => {
    const { code, stdout, stderr } = await runSlipway(['certs', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['GET /apps/demo/sni-endpoints']);
    assert.equal(
      stdout,
      [
        '=== demo SSL Certificates',
        'Name          Common Name(s)                Expires',
        'sni-1f0c2a9b  www.example.com, example.com  2027/01/01 00:00:00 +0000',
        'sni-old       old.example.com               2025/06/01 00:00:00 +0000 (expired)',
        '',
      ].join('\n'),
    );
  });

  it('says so when the app has none', async () => {
    const { code, stdout } = await runSlipway(['certs', '-a', 'bare'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stdout, '⬢ bare has no SSL certificates.\nUse slipway certs:add CERT_FILE KEY_FILE -a bare to add one.\n');
  });

  it('prints the API body alone with --json', async () => {
    const { code, stdout } = await runSlipway(['certs', '-a', 'demo', '--json'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), list);
  });

  it('reports an unknown app and exits 1', async () => {
    const { code, stderr } = await runSlipway(['certs', '-a', 'ghost'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.match(stderr, /^ !    No route GET \/apps\/ghost\/sni-endpoints/);
  });
});
