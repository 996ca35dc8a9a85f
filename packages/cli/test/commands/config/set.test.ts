import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';

describe('config:set', () => {
  const api = new FakeApi();
  const set = (...args: string[]) => runSlipway(['config:set', ...args], { apiUrl: api.url });

  before(() => api.start());
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'PATCH /apps/demo/config-vars': (req) => ({ body: { EXISTING: 'x', ...(req.body as Record<string, string>) } }),
    }),
  );

  it('sends the vars in one PATCH and prints them aligned', async () => {
    const { code, stdout, stderr } = await set('LANG=en_US.UTF-8', 'RAILS_ENV=production', '-a', 'demo');
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['PATCH /apps/demo/config-vars']);
    assert.deepEqual(api.requests[0]!.body, { LANG: 'en_US.UTF-8', RAILS_ENV: 'production' });
    assert.equal(stderr, 'Setting LANG, RAILS_ENV and restarting ⬢ demo... done\n');
    assert.equal(stdout, 'LANG:      en_US.UTF-8\nRAILS_ENV: production\n');
  });

  it('keeps everything after the first "=" as the value', async () => {
    const { code } = await set('DATABASE_URL=postgres://u:p@db/x?a=b', 'EMPTY=', '-a', 'demo');
    assert.equal(code, 0);
    assert.deepEqual(api.requests[0]!.body, { DATABASE_URL: 'postgres://u:p@db/x?a=b', EMPTY: '' });
  });

  it('prints the full map with --json', async () => {
    const { code, stdout } = await set('A=1', '-a', 'demo', '--json');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { EXISTING: 'x', A: '1' });
  });

  it('refuses an argument without "=" and sends nothing', async () => {
    const { code, stdout, stderr } = await set('A=1', 'LANG', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, ' !    "LANG" is not KEY=value. To unset a var, use config:unset LANG.\n');
    assert.deepEqual(api.requests, []);
  });

  it('refuses an invalid name and sends nothing', async () => {
    for (const bad of ['1ABC=x', 'MY-VAR=x', '=x']) {
      const { code, stderr } = await set(bad, '-a', 'demo');
      assert.equal(code, 1, bad);
      assert.match(stderr, /^ !    Config var name ".*" is invalid/, bad);
    }
    assert.deepEqual(api.requests, []);
  });

  it('refuses a name given twice', async () => {
    const { code, stderr } = await set('A=1', 'A=2', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stderr, ' !    Config var A is given twice.\n');
    assert.deepEqual(api.requests, []);
  });

  it('exits non-zero with no vars', async () => {
    const { code, stderr } = await set('-a', 'demo');
    assert.equal(code, 1);
    assert.match(stderr, /^ !    missing required argument 'vars'/);
    assert.deepEqual(api.requests, []);
  });

  it("reports the API's error and exits 1", async () => {
    const { code, stderr } = await runSlipway(['config:set', 'A=1', '-a', 'ghost'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, 'Setting A and restarting ⬢ ghost... !\n !    No route PATCH /apps/ghost/config-vars in the fake API.\n');
  });
});
