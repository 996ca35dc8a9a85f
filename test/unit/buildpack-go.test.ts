import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// bin/compile needs Debian's Go from the mirror, so it is checked in a build
// container by hand; here: detect, release, and compile's early failures.
const root = fileURLToPath(new URL('../..', import.meta.url));
const buildpack = join(root, 'buildpacks', 'go');
const fixtures = join(root, 'test', 'fixtures');

function run(command: string, args: string[]) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('buildpack go', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-go-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function app(name: string, files: Record<string, string>): string {
    const path = join(dir, name);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(path, file, '..'), { recursive: true });
      writeFileSync(join(path, file), content);
    }
    return path;
  }

  it('detects go.mod', () => {
    const r = run(join(buildpack, 'bin', 'detect'), [join(fixtures, 'go-http')]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Go\n');
    assert.equal(run(join(buildpack, 'bin', 'detect'), [join(fixtures, 'node-express')]).code, 1);
  });

  it('declares web: bin/NAME for a single binary, or for the module root among several', () => {
    const release = (path: string) => run(join(buildpack, 'bin', 'release'), [path]).stdout;
    const one = app('one', { 'go.mod': 'module example.com/go-http\n\ngo 1.19\n', '.heroku/go/binaries': 'go-http\n' });
    assert.equal(release(one), '---\ndefault_process_types:\n  web: bin/go-http\n');
    const v2 = app('v2', { 'go.mod': 'module example.com/svc/v2\n', '.heroku/go/binaries': 'svc\nworker\n' });
    assert.equal(release(v2), '---\ndefault_process_types:\n  web: bin/svc\n');
    const cmds = app('cmds', { 'go.mod': 'module example.com/tools\n', '.heroku/go/binaries': 'api\nworker\n' });
    assert.equal(release(cmds), '---\ndefault_process_types: {}\n');
    assert.equal(release(app('unbuilt', { 'go.mod': 'module x\n' })), '---\ndefault_process_types: {}\n');
  });

  it('refuses a go line it cannot read before downloading anything', () => {
    const bad = app('bad', { 'go.mod': 'module example.com/bad\n\ngo banana\n', 'main.go': 'package main\n' });
    const r = run(join(buildpack, 'bin', 'compile'), [bad, join(dir, 'cache')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ ! {5}go\.mod's go line "banana" is not a Go version this buildpack understands/m);
    const none = app('no-module', { 'go.mod': 'go 1.19\n' });
    assert.match(run(join(buildpack, 'bin', 'compile'), [none, join(dir, 'cache')]).stderr, /^ ! {5}go\.mod has no module line$/m);
  });
});
