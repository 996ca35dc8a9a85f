import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { appFixture, dynoFixture } from '../../helpers/fixtures.js';
import { runSlipway } from '../../helpers/run.js';

describe('apps', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());

  it('lists app names under the account email', async () => {
    api.reset({
      'GET /account': { body: { id: 'o', email: 'admin@slipway.local', name: 'admin' } },
      'GET /apps': { body: [appFixture('zeta'), appFixture('demo')] },
    });
    const { code, stdout } = await runSlipway(['apps'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stdout, '=== admin@slipway.local Apps\ndemo\nzeta\n');
  });
});

describe('apps:info', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());

  it('shows the app with its dyno counts', async () => {
    api.reset({
      'GET /apps/demo': { body: appFixture('demo') },
      'GET /apps/demo/dynos': { body: [dynoFixture('web.1'), dynoFixture('web.2'), dynoFixture('worker.1')] },
    });
    const { code, stdout } = await runSlipway(['apps:info', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        '=== demo',
        'Dynos:       web: 2, worker: 1',
        'Git URL:     http://127.0.0.1:5000/demo.git',
        'Maintenance: off',
        'Owner:       admin@slipway.local',
        'Region:      local',
        'Stack:       bookworm',
        'Web URL:     http://demo.localhost:8080/',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 with the API message for a missing app', async () => {
    api.reset({ 'GET /apps/ghost': { status: 404, body: { id: 'not_found', message: "Couldn't find that app." } } });
    const { code, stderr } = await runSlipway(['apps:info', '-a', 'ghost', '--json'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, " !    Couldn't find that app.\n");
  });
});
