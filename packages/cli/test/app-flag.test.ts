import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NO_APP_MESSAGE, appFromGitUrl, resolveApp } from '../src/app-flag.js';
import { emptyDir, git, gitRepo } from './helpers/run.js';

describe('app flag', () => {
  it('uses --app when given', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/other.git');
    assert.equal(await resolveApp({ app: 'demo' }, repo), 'demo');
  });

  it('rejects an invalid --app', async () => {
    await assert.rejects(resolveApp({ app: 'Demo!' }, emptyDir()), { id: 'invalid_params', message: /^Name "Demo!" is invalid/ });
  });

  it('reads the app from the slipway remote', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/demo.git');
    assert.equal(await resolveApp({}, repo), 'demo');
  });

  it('reads the remote from a subdirectory of the repository', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/demo.git');
    const sub = join(repo, 'src', 'lib');
    mkdirSync(sub, { recursive: true });
    assert.equal(await resolveApp({}, sub), 'demo');
  });

  it('reads another remote with --remote', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/demo.git');
    git(repo, 'remote', 'add', 'staging', 'http://127.0.0.1:5000/demo-staging.git');
    assert.equal(await resolveApp({ remote: 'staging' }, repo), 'demo-staging');
    await assert.rejects(resolveApp({ remote: 'prod' }, repo), { message: /^No git remote named prod in / });
  });

  it('errors in a git repository without a slipway remote', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'origin', 'https://github.com/me/demo.git');
    await assert.rejects(resolveApp({}, repo), { id: 'invalid_params', message: NO_APP_MESSAGE });
  });

  it('errors outside a git repository', async () => {
    await assert.rejects(resolveApp({}, emptyDir()), { message: NO_APP_MESSAGE });
    assert.equal(
      NO_APP_MESSAGE,
      "No app specified. Use -a APP or run this command from an app's git directory with a slipway remote.",
    );
  });

  it('errors when the remote does not end in an app name', async () => {
    const repo = gitRepo();
    git(repo, 'remote', 'add', 'slipway', 'http://127.0.0.1:5000/Not_An_App.git');
    await assert.rejects(resolveApp({}, repo), { message: /^The git remote slipway \(http:\/\/127\.0\.0\.1:5000\/Not_An_App\.git\) does not end in an app name/ });
  });

  it('takes the last path segment of any git URL form', () => {
    const cases: [string, string | null][] = [
      ['http://127.0.0.1:5000/demo.git', 'demo'],
      ['http://127.0.0.1:5000/demo', 'demo'],
      ['https://git.example.com/apps/demo.git/', 'demo'],
      ['ssh://git@example.com:2222/demo.git', 'demo'],
      ['git@example.com:demo.git', 'demo'],
      ['http://user:pass@127.0.0.1:5000/demo-2.git', 'demo-2'],
      ['/srv/git/demo.git', 'demo'],
      ['http://127.0.0.1:5000/', null],
      ['http://myhost/', null],
      ['git@myhost:', null],
      ['http://127.0.0.1:5000/UPPER.git', null],
      ['', null],
    ];
    for (const [url, app] of cases) assert.equal(appFromGitUrl(url), app, url);
  });
});
