import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';

describe('ps:restart', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'DELETE /apps/demo/dynos': { body: {} },
      'DELETE /apps/demo/dynos/web': { body: {} },
      'DELETE /apps/demo/dynos/web.1': { status: 202 },
    }),
  );

  it('restarts every dyno, a type or one dyno', async () => {
    const cases: [string[], string, string][] = [
      [[], 'DELETE /apps/demo/dynos', 'Restarting dynos on ⬢ demo... done\n'],
      [['web'], 'DELETE /apps/demo/dynos/web', 'Restarting web dynos on ⬢ demo... done\n'],
      [['web.1'], 'DELETE /apps/demo/dynos/web.1', 'Restarting web.1 dyno on ⬢ demo... done\n'],
    ];
    for (const [args, call, stderr] of cases) {
      api.requests.length = 0;
      const result = await runSlipway(['ps:restart', ...args, '-a', 'demo'], { apiUrl: api.url });
      assert.equal(result.code, 0);
      assert.deepEqual(api.calls(), [call]);
      assert.equal(result.stderr, stderr);
    }
  });

  it('refuses a malformed target and sends nothing', async () => {
    const { code, stderr } = await runSlipway(['ps:restart', 'web/../x', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.match(stderr, /^ !    Invalid dyno or process type "web\/\.\.\/x"/);
    assert.deepEqual(api.requests, []);
  });
});

describe('ps:stop', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());

  it('stops one dyno', async () => {
    api.reset({ 'POST /apps/demo/dynos/web.2/actions/stop': { body: {} } });
    const { code, stderr } = await runSlipway(['ps:stop', 'web.2', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stderr, 'Stopping web.2 dyno on ⬢ demo... done\n');
    assert.deepEqual(api.calls(), ['POST /apps/demo/dynos/web.2/actions/stop']);
  });

  it('refuses a process type and points at ps:scale', async () => {
    api.reset();
    const { code, stderr } = await runSlipway(['ps:stop', 'web', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, ' !    Invalid dyno "web"; give a dyno name such as web.1. To stop every web dyno, run ps:scale web=0.\n');
    assert.deepEqual(api.requests, []);
  });
});
