import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { dynoFixture } from '../../helpers/fixtures.js';
import { runSlipway } from '../../helpers/run.js';

describe('ps', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset());

  it('groups dynos by type, size and command, in dyno order', async () => {
    api.reset({
      'GET /apps/demo/dynos': {
        body: [
          dynoFixture('web.10', { updated_at: '2026-01-02T02:05:05Z' }),
          dynoFixture('worker.1', { state: 'crashed', updated_at: '2026-01-02T03:05:00Z' }),
          dynoFixture('web.2'),
          dynoFixture('web.1', { updated_at: '2025-12-01T00:00:00Z' }),
        ],
      },
    });
    const { code, stdout } = await runSlipway(['ps', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        '=== web (standard-1x): node server.js (3)',
        'web.1: up 2025/12/01 00:00:00 +0000',
        'web.2: up 2026/01/02 03:04:05 +0000 (~ 1m ago)',
        'web.10: up 2026/01/02 02:05:05 +0000 (~ 1h ago)',
        '',
        '=== worker (standard-1x): node worker.js (1)',
        'worker.1: crashed 2026/01/02 03:05:00 +0000 (~ 5s ago)',
        '',
      ].join('\n'),
    );
  });

  it('lists one-off dynos in one group, each with its size and command', async () => {
    api.reset({
      'GET /apps/demo/dynos': {
        body: [
          dynoFixture('run.2', { command: 'sleep 300', size: 'standard-2x', state: 'starting' }),
          dynoFixture('web.1'),
          dynoFixture('run.1', { command: 'bash', updated_at: '2026-01-02T03:04:05Z' }),
        ],
      },
    });
    const { code, stdout } = await runSlipway(['ps', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        '=== run: one-off processes (2)',
        'run.1 (standard-1x): up 2026/01/02 03:04:05 +0000 (~ 1m ago): bash',
        'run.2 (standard-2x): starting 2026/01/02 03:04:05 +0000 (~ 1m ago): sleep 300',
        '',
        '=== web (standard-1x): node server.js (1)',
        'web.1: up 2026/01/02 03:04:05 +0000 (~ 1m ago)',
        '',
      ].join('\n'),
    );
  });

  it('shows only the asked types', async () => {
    api.reset({ 'GET /apps/demo/dynos': { body: [dynoFixture('web.1'), dynoFixture('worker.1')] } });
    const { stdout } = await runSlipway(['ps', 'worker', '-a', 'demo'], { apiUrl: api.url });
    assert.match(stdout, /^=== worker /);
    assert.doesNotMatch(stdout, /web/);
  });

  it('says so when there are no dynos', async () => {
    api.reset({ 'GET /apps/demo/dynos': { body: [] } });
    const { code, stdout } = await runSlipway(['ps', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(stdout, 'No dynos on ⬢ demo\n');
  });

  it('prints the dynos as JSON with --json', async () => {
    api.reset({ 'GET /apps/demo/dynos': { body: [dynoFixture('web.1')] } });
    const { stdout } = await runSlipway(['ps', '-a', 'demo', '--json'], { apiUrl: api.url });
    assert.deepEqual(JSON.parse(stdout), [dynoFixture('web.1')]);
  });
});
