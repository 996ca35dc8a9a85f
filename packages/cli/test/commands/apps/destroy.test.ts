import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { appFixture } from '../../helpers/fixtures.js';
import { git, gitRepo, runSlipway } from '../../helpers/run.js';

describe('apps:destroy', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'GET /apps/demo': { body: appFixture('demo') }, 'DELETE /apps/demo': { body: appFixture('demo') } }));

  it('refuses without --confirm and sends nothing', async () => {
    const { code, stderr } = await runSlipway(['apps:destroy', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, ' !    WARNING: This will delete ⬢ demo including all add-ons.\n !    To proceed, re-run this command with --confirm demo\n');
    assert.deepEqual(api.requests, []);
  });

  it('refuses a --confirm that does not match', async () => {
    const { code, stderr } = await runSlipway(['apps:destroy', '-a', 'demo', '--confirm', 'other'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, ' !    Confirmation other did not match demo. Aborted.\n');
    assert.deepEqual(api.requests, []);
  });

  it('destroys the app and removes git remotes that point at it', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/demo.git');
    git(repo, 'remote', 'add', 'origin', 'https://github.com/me/demo.git');
    const { code, stdout, stderr } = await runSlipway(['apps:destroy', '--confirm', 'demo'], { apiUrl: api.url, cwd: repo });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'Destroying ⬢ demo (including all add-ons)... done\n');
    assert.equal(stdout, 'Git remote slipway removed\n');
    assert.deepEqual(api.calls(), ['GET /apps/demo', 'DELETE /apps/demo']);
    assert.equal(git(repo, 'remote'), 'origin');
  });
});
