import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { formationFixture } from '../../helpers/fixtures.js';
import { runSlipway } from '../../helpers/run.js';
import { NO_APP_MESSAGE } from '../../../src/app-flag.js';

describe('ps:scale', () => {
  const api = new FakeApi();
  const scale = (...args: string[]) => runSlipway(['ps:scale', ...args], { apiUrl: api.url });

  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset());

  it('scales to an absolute quantity with a single PATCH', async () => {
    api.reset({ 'PATCH /apps/demo/formation': { body: [formationFixture('web', 2)] } });
    const { code, stdout, stderr } = await scale('web=2', '-a', 'demo');
    assert.equal(code, 0);
    assert.equal(stderr, 'Scaling dynos... done, now running web at 2:standard-1x\n');
    assert.equal(stdout, '');
    assert.deepEqual(api.calls(), ['PATCH /apps/demo/formation']);
    assert.deepEqual(api.requests[0]!.body, { updates: [{ type: 'web', quantity: 2 }] });
    assert.equal(api.requests[0]!.headers.authorization, 'Bearer test-key');
  });

  it('sends sizes and reports every scaled type', async () => {
    api.reset({
      'PATCH /apps/demo/formation': { body: [formationFixture('web', 3, 'standard-2x'), formationFixture('worker', 1)] },
    });
    const { code, stderr } = await scale('web=3:standard-2x', 'worker=1', '--app', 'demo');
    assert.equal(code, 0);
    assert.equal(stderr, 'Scaling dynos... done, now running web at 3:standard-2x, worker at 1:standard-1x\n');
    assert.deepEqual(api.requests[0]!.body, {
      updates: [
        { type: 'web', quantity: 3, size: 'standard-2x' },
        { type: 'worker', quantity: 1 },
      ],
    });
  });

  it('resolves relative changes against the current formation', async () => {
    api.reset({
      'GET /apps/demo/formation': { body: [formationFixture('web', 2), formationFixture('worker', 3)] },
      'PATCH /apps/demo/formation': { body: [formationFixture('web', 3), formationFixture('worker', 1)] },
    });
    const { code, stderr } = await scale('web+1', 'worker-2', 'clock=0', '-a', 'demo');
    assert.equal(code, 0, stderr);
    assert.deepEqual(api.calls(), ['GET /apps/demo/formation', 'PATCH /apps/demo/formation']);
    assert.deepEqual(api.requests[1]!.body, {
      updates: [
        { type: 'web', quantity: 3 },
        { type: 'worker', quantity: 1 },
        { type: 'clock', quantity: 0 },
      ],
    });
  });

  it('fails on a malformed argument and sends nothing', async () => {
    for (const bad of ['web=abc', 'web', 'web=-1', '=2', 'web=1:huge', 'web=101']) {
      const { code, stdout, stderr } = await scale(bad, '-a', 'demo');
      assert.equal(code, 1, bad);
      assert.equal(stdout, '', bad);
      assert.match(stderr, /^ !    (Invalid scale argument|Size|Quantity)/, bad);
    }
    const { stderr } = await scale('web=abc', '-a', 'demo');
    assert.equal(stderr, ' !    Invalid scale argument "web=abc"; expected TYPE=N, TYPE+N or TYPE-N with an optional :SIZE.\n');
    assert.deepEqual(api.requests, []);
  });

  it('fails when one of several arguments is bad, without scaling the others', async () => {
    const { code } = await scale('web=2', 'worker=many', '-a', 'demo');
    assert.equal(code, 1);
    assert.deepEqual(api.requests, []);
  });

  it('refuses a type given twice', async () => {
    const { code, stderr } = await scale('web=2', 'web+1', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stderr, ' !    Process type "web" is given twice.\n');
    assert.deepEqual(api.requests, []);
  });

  it('refuses a relative change that would go below zero', async () => {
    api.reset({ 'GET /apps/demo/formation': { body: [formationFixture('web', 1)] } });
    const { code, stderr } = await scale('web-3', '-a', 'demo');
    assert.equal(code, 1);
    assert.match(stderr, /^ !    Cannot scale web-3: web runs 1 now/);
    assert.deepEqual(api.calls(), ['GET /apps/demo/formation']);
  });

  it('refuses a relative change to a type the app does not have', async () => {
    api.reset({ 'GET /apps/demo/formation': { body: [formationFixture('web', 1)] } });
    const { code, stderr } = await scale('worker+1', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stderr, ' !    No such process type worker defined in Procfile. Process types: web.\n');
    assert.deepEqual(api.calls(), ['GET /apps/demo/formation']);
  });

  it("reports the API's error and exits 1", async () => {
    api.reset({
      'PATCH /apps/demo/formation': {
        status: 404,
        body: { id: 'not_found', message: 'No such process type worker defined in Procfile. Process types: web.' },
      },
    });
    const { code, stderr } = await scale('worker=1', '-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stderr, 'Scaling dynos... !\n !    No such process type worker defined in Procfile. Process types: web.\n');
  });

  it('prints the formation when given no arguments', async () => {
    api.reset({ 'GET /apps/demo/formation': { body: [formationFixture('web', 2), formationFixture('worker', 0, 'standard-2x')] } });
    const { code, stdout } = await scale('-a', 'demo');
    assert.equal(code, 0);
    assert.equal(stdout, 'web=2:standard-1x worker=0:standard-2x\n');
    assert.deepEqual(api.calls(), ['GET /apps/demo/formation']);
  });

  it('errors with no process types', async () => {
    api.reset({ 'GET /apps/demo/formation': { body: [] } });
    const { code, stderr } = await scale('-a', 'demo');
    assert.equal(code, 1);
    assert.equal(stderr, ' !    No process types on ⬢ demo.\n !    Upload a Procfile to add process types.\n');
  });

  it('prints only the API body with --json', async () => {
    const formation = [formationFixture('web', 2)];
    api.reset({ 'PATCH /apps/demo/formation': { body: formation } });
    const { code, stdout, stderr } = await scale('web=2', '-a', 'demo', '--json');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), formation);
    assert.match(stderr, /^Scaling dynos\.\.\. done/);
  });

  it('refuses an invalid app name before sending anything', async () => {
    const { code, stderr } = await scale('web=1', '-a', 'Not_An_App');
    assert.equal(code, 1);
    assert.match(stderr, /^ !    Name "Not_An_App" is invalid/);
    assert.deepEqual(api.requests, []);
  });

  it('needs an app when there is no slipway remote', async () => {
    const { code, stderr } = await scale('web=1');
    assert.equal(code, 1);
    assert.equal(stderr, ` !    ${NO_APP_MESSAGE}\n`);
    assert.deepEqual(api.requests, []);
  });

  it('exits non-zero on an unknown flag', async () => {
    const { code, stderr } = await scale('web=1', '-a', 'demo', '--force');
    assert.equal(code, 1);
    assert.equal(stderr, " !    unknown option '--force'\n");
    assert.deepEqual(api.requests, []);
  });
});
