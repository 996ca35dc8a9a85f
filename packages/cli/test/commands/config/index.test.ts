import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';

const VARS = { LANG: 'en_US.UTF-8', DATABASE_URL: 'postgres://db/demo', QUOTE: "it's" };

describe('config', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'GET /apps/demo/config-vars': { body: VARS } }));

  it('prints the vars sorted and aligned under a header', async () => {
    const { code, stdout } = await runSlipway(['config', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stdout, '=== demo Config Vars\nDATABASE_URL: postgres://db/demo\nLANG:         en_US.UTF-8\nQUOTE:        it\'s\n');
  });

  it('prints KEY=value lines with --shell', async () => {
    const { stdout } = await runSlipway(['config', '-a', 'demo', '--shell'], { apiUrl: api.url });
    assert.equal(stdout, "DATABASE_URL=postgres://db/demo\nLANG=en_US.UTF-8\nQUOTE='it'\\''s'\n");
  });
});

describe('config:get', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'GET /apps/demo/config-vars': { body: VARS } }));

  it('prints the value alone', async () => {
    const { code, stdout } = await runSlipway(['config:get', 'DATABASE_URL', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stdout, 'postgres://db/demo\n');
  });

  it('exits 1 when the var is not set', async () => {
    const { code, stdout, stderr } = await runSlipway(['config:get', 'MISSING', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, ' !    Config var MISSING is not set on ⬢ demo.\n');
  });
});

describe('config:unset', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());

  it('sends null for each key', async () => {
    api.reset({ 'PATCH /apps/demo/config-vars': { body: {} } });
    const { code, stderr } = await runSlipway(['config:unset', 'A', 'B', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stderr, 'Unsetting A, B and restarting ⬢ demo... done\n');
    assert.deepEqual(api.requests[0]!.body, { A: null, B: null });
  });

  it('refuses an invalid name and sends nothing', async () => {
    api.reset();
    const { code } = await runSlipway(['config:unset', 'NOT-VALID', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.deepEqual(api.requests, []);
  });
});
