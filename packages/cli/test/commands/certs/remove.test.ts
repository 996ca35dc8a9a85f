import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { sniEndpointFixture } from '../../helpers/domain-fixtures.js';

describe('certs:remove', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'DELETE /apps/demo/sni-endpoints/sni-1f0c2a9b': { body: sniEndpointFixture('sni-1f0c2a9b') } }));

  it('deletes the certificate by name and reports progress on stderr', async () => {
    const { code, stdout, stderr } = await runSlipway(['certs:remove', 'sni-1f0c2a9b', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['DELETE /apps/demo/sni-endpoints/sni-1f0c2a9b']);
    assert.equal(stderr, 'Removing SSL certificate sni-1f0c2a9b from ⬢ demo... done\n');
    assert.equal(stdout, '');
  });

  it('prints the removed certificate with --json', async () => {
    const { code, stdout } = await runSlipway(['certs:remove', 'sni-1f0c2a9b', '-a', 'demo', '--json'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).name, 'sni-1f0c2a9b');
  });

  it('reports an unknown certificate and exits 1', async () => {
    const { code, stderr } = await runSlipway(['certs:remove', 'sni-nope', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, 'Removing SSL certificate sni-nope from ⬢ demo... !\n !    No route DELETE /apps/demo/sni-endpoints/sni-nope in the fake API.\n');
  });
});
