import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { domainFixture } from '../../helpers/domain-fixtures.js';

describe('domains:remove', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'DELETE /apps/demo/domains/www.example.com': { body: domainFixture('www.example.com') } }));

  it('deletes the hostname and reports progress on stderr', async () => {
    const { code, stdout, stderr } = await runSlipway(['domains:remove', 'www.example.com', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['DELETE /apps/demo/domains/www.example.com']);
    assert.equal(stderr, 'Removing www.example.com from ⬢ demo... done\n');
    assert.equal(stdout, '');
  });

  it('prints the removed domain with --json', async () => {
    const { code, stdout } = await runSlipway(['domains:remove', 'www.example.com', '-a', 'demo', '--json'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).hostname, 'www.example.com');
  });

  it('encodes the hostname as one path segment', async () => {
    await runSlipway(['domains:remove', 'a/b', '-a', 'demo'], { apiUrl: api.url });
    assert.deepEqual(api.calls(), ['DELETE /apps/demo/domains/a%2Fb']);
  });

  it('reports a hostname the app does not have and exits 1', async () => {
    api.reset({ 'DELETE /apps/demo/domains/nope.example.com': { status: 404, body: { id: 'not_found', message: 'nope.example.com is not a domain of demo.' } } });
    const { code, stderr } = await runSlipway(['domains:remove', 'nope.example.com', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, 'Removing nope.example.com from ⬢ demo... !\n !    nope.example.com is not a domain of demo.\n');
  });
});
