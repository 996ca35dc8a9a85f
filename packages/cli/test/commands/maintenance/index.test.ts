import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { appFixture } from '../../helpers/fixtures.js';

describe('maintenance', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'GET /apps/demo': { body: appFixture('demo') },
      'GET /apps/busy': { body: appFixture('busy', { maintenance: true }) },
    }),
  );

  it('prints on or off', async () => {
    const off = await runSlipway(['maintenance', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, 'off\n');
    const on = await runSlipway(['maintenance', '-a', 'busy'], { apiUrl: api.url });
    assert.equal(on.stdout, 'on\n');
    assert.deepEqual(api.calls(), ['GET /apps/demo', 'GET /apps/busy']);
  });

  it('reports an unknown app and exits 1', async () => {
    const { code, stdout, stderr } = await runSlipway(['maintenance', '-a', 'ghost'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^ !    No route GET \/apps\/ghost/);
  });
});
