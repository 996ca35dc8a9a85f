import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi } from '../../helpers/fake-api.js';
import { appFixture } from '../../helpers/fixtures.js';
import { git, gitRepo, runSlipway } from '../../helpers/run.js';

describe('apps:create', () => {
  const api = new FakeApi();
  const create = (args: string[], cwd?: string) => runSlipway(['apps:create', ...args], { apiUrl: api.url, cwd });

  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => api.reset({ 'POST /apps': (req) => ({ status: 201, body: appFixture((req.body as { name?: string }).name ?? 'sharp-river-1234') }) }));

  it('creates the named app and prints its URLs', async () => {
    const { code, stdout, stderr } = await create(['demo']);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'Creating ⬢ demo... done\n');
    assert.equal(stdout, 'http://demo.localhost:8080/ | http://127.0.0.1:5000/demo.git\n');
    assert.deepEqual(api.calls(), ['POST /apps']);
    assert.deepEqual(api.requests[0]!.body, { name: 'demo' });
  });

  it('lets the server pick a name when none is given', async () => {
    const { code, stdout, stderr } = await create([]);
    assert.equal(code, 0);
    assert.deepEqual(api.requests[0]!.body, {});
    assert.equal(stderr, 'Creating app... done, ⬢ sharp-river-1234\n');
    assert.equal(stdout, 'http://sharp-river-1234.localhost:8080/ | http://127.0.0.1:5000/sharp-river-1234.git\n');
  });

  it('adds a slipway git remote inside a git repository', async () => {
    const repo = gitRepo();
    const { code, stdout } = await create(['demo'], repo);
    assert.equal(code, 0);
    assert.equal(stdout, 'http://demo.localhost:8080/ | http://127.0.0.1:5000/demo.git\nGit remote slipway added\n');
    assert.equal(git(repo, 'config', '--get', 'remote.slipway.url'), 'http://127.0.0.1:5000/demo.git');
  });

  it('adds the remote under another name with --remote', async () => {
    const repo = gitRepo();
    const { code, stdout } = await create(['demo', '--remote', 'staging'], repo);
    assert.equal(code, 0);
    assert.match(stdout, /Git remote staging added\n$/);
    assert.equal(git(repo, 'config', '--get', 'remote.staging.url'), 'http://127.0.0.1:5000/demo.git');
  });

  it('keeps an existing slipway remote and says so', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/other.git');
    const { code, stdout, stderr } = await create(['demo'], repo);
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /Git remote/);
    assert.match(stderr, / !    Git remote slipway already points at http:\/\/127\.0\.0\.1:5000\/other\.git; left it as it is\.\n$/);
    assert.equal(git(repo, 'config', '--get', 'remote.slipway.url'), 'http://127.0.0.1:5000/other.git');
  });

  it('adds no remote with --no-remote', async () => {
    const repo = gitRepo();
    const { code, stdout } = await create(['demo', '--no-remote'], repo);
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /Git remote/);
    assert.equal(git(repo, 'remote'), '');
  });

  it('rejects an invalid name before sending anything', async () => {
    const { code, stdout, stderr } = await create(['My_App']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^ !    Name "My_App" is invalid: an app name must start with a letter/);
    assert.deepEqual(api.requests, []);
  });

  it('reports a taken name with exit code 1 and adds no remote', async () => {
    api.reset({ 'POST /apps': { status: 409, body: { id: 'conflict', message: 'Name demo is already taken.' } } });
    const repo = gitRepo();
    const { code, stdout, stderr } = await create(['demo'], repo);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'Creating ⬢ demo... !\n !    Name demo is already taken.\n');
    assert.equal(git(repo, 'remote'), '');
  });

  it('prints only the API body on stdout with --json', async () => {
    const repo = gitRepo();
    const { code, stdout, stderr } = await create(['demo', '--json'], repo);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), appFixture('demo'));
    assert.equal(stderr, 'Creating ⬢ demo... done\nGit remote slipway added\n');
  });

  it('names the API URL when the API is down', async () => {
    const dead = new FakeApi();
    await dead.start();
    await dead.stop();
    const { code, stderr } = await runSlipway(['apps:create', 'demo'], { apiUrl: dead.url });
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`^Creating ⬢ demo\\.\\.\\. !\\n !    Could not reach the Slipway API at ${dead.url}: connect ECONNREFUSED`));
  });
});
