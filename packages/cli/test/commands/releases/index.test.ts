import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { releaseFixture } from '../../helpers/fixtures.js';
import { runSlipway } from '../../helpers/run.js';

describe('releases', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'GET /apps/demo/releases': {
        body: [
          releaseFixture(1, { created_at: '2026-01-02T03:00:05Z' }),
          releaseFixture(3, { description: 'Deploy 9b8c7d6', status: 'failed' }),
          releaseFixture(2, { current: true }),
        ],
      },
    }),
  );

  it('lists releases newest first under the current version', async () => {
    const { code, stdout } = await runSlipway(['releases', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        '=== demo Releases - Current: v2',
        'v3  Deploy 9b8c7d6 (failed)  admin@slipway.local  2026/01/02 03:04:05 +0000 (~ 1m ago)',
        'v2  Deploy 3f2a1c9           admin@slipway.local  2026/01/02 03:04:05 +0000 (~ 1m ago)',
        'v1  Initial release          admin@slipway.local  2026/01/02 03:00:05 +0000 (~ 5m ago)',
        '',
      ].join('\n'),
    );
  });

  it('limits the list with --num', async () => {
    const { stdout } = await runSlipway(['releases', '-a', 'demo', '-n', '1', '--json'], { apiUrl: api.url });
    assert.deepEqual(JSON.parse(stdout).map((r: { version: number }) => r.version), [3]);
    const bad = await runSlipway(['releases', '-a', 'demo', '-n', 'all'], { apiUrl: api.url });
    assert.equal(bad.code, 1);
  });
});

describe('releases:info', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());

  it('shows the given version', async () => {
    api.reset({ 'GET /apps/demo/releases/2': { body: releaseFixture(2, { current: true }) } });
    const { code, stdout } = await runSlipway(['releases:info', 'v2', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        '=== Release v2',
        'By:      admin@slipway.local',
        'Change:  Deploy 3f2a1c9',
        'Current: true',
        'Status:  succeeded',
        'When:    2026/01/02 03:04:05 +0000 (~ 1m ago)',
        '',
      ].join('\n'),
    );
  });

  it('refuses a malformed version and sends nothing', async () => {
    api.reset();
    const { code, stderr } = await runSlipway(['releases:info', 'latest', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.match(stderr, /^ !    Invalid release "latest"/);
    assert.deepEqual(api.requests, []);
  });
});

describe('rollback', () => {
  const api = new FakeApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() =>
    api.reset({
      'GET /apps/demo/releases': {
        body: [releaseFixture(1), releaseFixture(2, { status: 'failed' }), releaseFixture(3, { current: true })],
      },
      'POST /apps/demo/releases': { status: 201, body: releaseFixture(4, { current: true }) },
    }),
  );

  it('rolls back to the last good release before the current one', async () => {
    const { code, stdout, stderr } = await runSlipway(['rollback', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'Rolling back ⬢ demo to v1... done, v4\n');
    assert.equal(stdout, 'To undo, run: slipway rollback v3 -a demo\n');
    assert.deepEqual(api.requests[1]!.body, { release: releaseFixture(1).id });
  });

  it('rolls back to the given version, sending its id', async () => {
    const { code } = await runSlipway(['rollback', '2', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.deepEqual(api.requests[1]!.body, { release: releaseFixture(2).id });
  });

  it('errors on a version the app does not have', async () => {
    const { code, stderr } = await runSlipway(['rollback', 'v9', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.equal(stderr, ' !    No release v9 on ⬢ demo.\n');
    assert.deepEqual(api.calls(), ['GET /apps/demo/releases']);
  });
});
