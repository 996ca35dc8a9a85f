import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { domainFixture } from '../../helpers/domain-fixtures.js';

describe('domains:add', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'POST /apps/demo/domains': (req) => ({ status: 201, body: domainFixture((req.body as { hostname: string }).hostname) }),
    }),
  );

  it('posts the hostname and reports progress on stderr', async () => {
    const { code, stdout, stderr } = await runSlipway(['domains:add', 'www.example.com', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['POST /apps/demo/domains']);
    assert.deepEqual(api.requests[0]!.body, { hostname: 'www.example.com' });
    assert.equal(stderr, 'Adding www.example.com to ⬢ demo... done\n');
    assert.equal(stdout, '');
  });

  it('prints the new domain with --json', async () => {
    const { code, stdout } = await runSlipway(['domains:add', 'www.example.com', '-a', 'demo', '--json'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).hostname, 'www.example.com');
  });

  it('reports a hostname taken by another app and exits 1', async () => {
    api.reset({ 'POST /apps/demo/domains': { status: 409, body: { id: 'conflict', message: 'www.example.com is already in use by another app.', resource: 'domain' } } });
    const { code, stdout, stderr } = await runSlipway(['domains:add', 'www.example.com', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'Adding www.example.com to ⬢ demo... !\n !    www.example.com is already in use by another app.\n');
  });

  it('exits 1 without a hostname and sends nothing', async () => {
    const { code, stderr } = await runSlipway(['domains:add', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.match(stderr, /^ !    missing required argument 'hostname'/);
    assert.deepEqual(api.requests, []);
  });
});
