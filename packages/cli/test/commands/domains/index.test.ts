import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';
import { domainFixture } from '../../helpers/domain-fixtures.js';

describe('domains', () => {
  const api = new FakeApi();
  const list = [domainFixture('demo.example.io', 'heroku'), domainFixture('api.example.com'), domainFixture('www.example.com')];
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'GET /apps/demo/domains': { body: list } }));

  it('lists the domains under a header, with the app hostname as the DNS target of custom ones', async () => {
    const { code, stdout, stderr } = await runSlipway(['domains', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['GET /apps/demo/domains']);
    assert.equal(
      stdout,
      [
        '=== demo Domains',
        'Domain Name      Kind    DNS Target',
        'demo.example.io  heroku',
        'api.example.com  custom  demo.example.io',
        'www.example.com  custom  demo.example.io',
        '',
      ].join('\n'),
    );
    assert.equal(stderr, '');
  });

  it('prints the API body alone with --json', async () => {
    const { code, stdout } = await runSlipway(['domains', '-a', 'demo', '--json'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), list);
  });

  it('reports an unknown app and exits 1', async () => {
    api.reset({ 'GET /apps/ghost/domains': { status: 404, body: { id: 'not_found', message: "Couldn't find that app." } } });
    const { code, stdout, stderr } = await runSlipway(['domains', '-a', 'ghost'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, " !    Couldn't find that app.\n");
  });

  it('refuses an invalid app name and sends nothing', async () => {
    const { code, stderr } = await runSlipway(['domains', '-a', 'Bad_Name'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.match(stderr, /^ !    /);
    assert.deepEqual(api.requests, []);
  });
});
