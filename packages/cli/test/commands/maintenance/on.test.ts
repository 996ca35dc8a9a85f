import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { appFixture } from '../../helpers/fixtures.js';

describe('maintenance:on', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'PATCH /apps/demo': (req) => ({ body: appFixture('demo', req.body as { maintenance: boolean }) }) }));

  it('patches maintenance to true and reports progress on stderr', async () => {
    const { code, stdout, stderr } = await runSlipway(['maintenance:on', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['PATCH /apps/demo']);
    assert.deepEqual(api.requests[0]!.body, { maintenance: true });
    assert.equal(stderr, 'Enabling maintenance mode for ⬢ demo... done\n');
    assert.equal(stdout, '');
  });

  it("reports the API's error and exits 1", async () => {
    const { code, stderr } = await runSlipway(['maintenance:on', '-a', 'ghost'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, 'Enabling maintenance mode for ⬢ ghost... !\n !    No route PATCH /apps/ghost in the fake API.\n');
  });
});
