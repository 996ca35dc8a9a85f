import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The python buildpack is bash and python3; these tests run it on the host.
// Only paths that need no network are compiled (the stdlib fixture has no
// requirements); installs with pip are checked by hand in a build container.
const root = fileURLToPath(new URL('../..', import.meta.url));
const buildpack = join(root, 'buildpacks', 'python');
const info = join(buildpack, 'lib', 'python_info.py');
const fixtures = join(root, 'test', 'fixtures');

// The stack runs /usr/bin/python3; a version manager's shim earlier in PATH
// (pyenv's takes 0.1 s a call) would make these tests several times slower.
const FAST_ENV = { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` };

function run(command: string, args: string[], env: NodeJS.ProcessEnv = FAST_ENV) {
  const r = spawnSync(command, args, { encoding: 'utf8', env, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function app(dir: string, name: string, files: Record<string, string>): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(path, file, '..'), { recursive: true });
    writeFileSync(join(path, file), content);
  }
  return path;
}

describe('buildpack python: bin/detect', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-python-detect-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const detect = (path: string) => run(join(buildpack, 'bin', 'detect'), [path]);

  it('detects requirements.txt, setup.py, pyproject.toml and Pipfile', () => {
    for (const marker of ['requirements.txt', 'setup.py', 'pyproject.toml', 'Pipfile']) {
      const r = detect(app(dir, marker, { [marker]: '' }));
      assert.equal(r.code, 0, marker);
      assert.equal(r.stdout, 'Python\n');
    }
  });

  it('detects runtime.txt or .python-version only next to a .py file', () => {
    assert.equal(detect(app(dir, 'runtime-only', { 'runtime.txt': 'python-3.11\n' })).code, 1);
    assert.equal(detect(app(dir, 'runtime-py', { 'runtime.txt': 'python-3.11\n', 'app.py': '' })).code, 0);
    assert.equal(detect(app(dir, 'version-py', { '.python-version': '3.11\n', 'main.py': '' })).code, 0);
    assert.equal(detect(join(fixtures, 'no-language')).code, 1);
  });
});

describe('buildpack python: python_info.py', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-python-info-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function runtime(files: Record<string, string>, name: string): Record<string, string> {
    const r = run('python3', [info, 'runtime', app(dir, name, files), '3.11.2']);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => {
      const [k, v] = l.split(/=(.*)/s);
      return [k, v.replace(/^'(.*)'$/s, '$1').replace(/'"'"'/g, "'")];
    }));
  }

  it('accepts python-3.11, python-3.11.x and any 3.11 patch in runtime.txt', () => {
    for (const [i, text] of ['python-3.11', 'python-3.11.x', 'python-3.11.9\n', '  python-3.11.2  \n'].entries()) {
      const r = runtime({ 'runtime.txt': text }, `ok-${i}`);
      assert.equal(r.runtime_ok, 'true', text);
      assert.equal(r.runtime_source, 'runtime.txt');
    }
  });

  it('refuses another minor, and says what was asked for', () => {
    const r = runtime({ 'runtime.txt': 'python-3.12.1\n' }, 'bad');
    assert.equal(r.runtime_ok, 'false');
    assert.equal(r.runtime_requested, 'python-3.12.1');
    const v = runtime({ '.python-version': '# pyenv\n3.10\n' }, 'bad-pv');
    assert.equal(v.runtime_ok, 'false');
    assert.equal(v.runtime_requested, 'python-3.10');
    assert.equal(v.runtime_source, '.python-version');
  });

  it('prefers runtime.txt to .python-version, and explains an unreadable version', () => {
    const both = runtime({ 'runtime.txt': 'python-3.11', '.python-version': '3.12' }, 'both');
    assert.equal(both.runtime_source, 'runtime.txt');
    assert.equal(both.runtime_ok, 'true');
    const junk = runtime({ 'runtime.txt': 'pypy-7.3' }, 'junk');
    assert.equal(junk.runtime_ok, 'false');
    assert.match(junk.runtime_error, /runtime\.txt says "pypy-7\.3", which is not a Python version \(write python-3\.11\)/);
    assert.equal(runtime({}, 'none').runtime_source, '');
  });

  it('tells a requirements file with only comments and blank lines from a real one', () => {
    const only = app(dir, 'comments', { 'requirements.txt': '# nothing\n\n   # still nothing\n' });
    assert.equal(run('python3', [info, 'has-requirements', join(only, 'requirements.txt')]).code, 1);
    const real = app(dir, 'real', { 'requirements.txt': '# web\nflask==3.0.0\n' });
    assert.equal(run('python3', [info, 'has-requirements', join(real, 'requirements.txt')]).code, 0);
    assert.equal(run('python3', [info, 'has-requirements', join(fixtures, 'python-stdlib', 'requirements.txt')]).code, 1);
  });

  it('keys the package cache on the requirements and the files they include, but not on local paths', () => {
    const a = app(dir, 'key', { 'requirements.txt': '-r base.txt\nflask\n', 'base.txt': 'gunicorn==23.0.0\n' });
    const key = () => run('python3', [info, 'cache-key', join(a, 'requirements.txt'), 'python 3.11.2']).stdout;
    const first = key();
    assert.match(first, /^[0-9a-f]{64}\n$/);
    assert.equal(key(), first);
    writeFileSync(join(a, 'base.txt'), 'gunicorn==23.0.1\n');
    assert.notEqual(key(), first, 'an included file changed');
    const local = app(dir, 'local', { 'requirements.txt': 'flask\n-e .\n' });
    assert.equal(run('python3', [info, 'cache-key', join(local, 'requirements.txt')]).code, 3);
  });

  it('turns Pipfile.lock (or Pipfile) into requirement lines', () => {
    const lock = app(dir, 'pipenv', {
      Pipfile: '[packages]\nflask = "*"\n',
      'Pipfile.lock': JSON.stringify({
        default: {
          flask: { version: '==3.0.0', hashes: ['sha256:abc'] },
          colorama: { version: '==0.4.6', markers: "sys_platform == 'win32'" },
        },
        develop: { pytest: { version: '==8.0.0' } },
      }),
    });
    assert.equal(run('python3', [info, 'pipfile', lock]).stdout, "colorama==0.4.6 ; sys_platform == 'win32'\nflask==3.0.0\n");
    const pipfile = app(dir, 'pipfile-only', { Pipfile: '[packages]\nflask = "*"\ngunicorn = ">=22"\n[dev-packages]\npytest = "*"\n' });
    assert.equal(run('python3', [info, 'pipfile', pipfile]).stdout, 'flask\ngunicorn>=22\n');
  });
});

describe('buildpack python: bin/release', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-python-release-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const release = (path: string) => run(join(buildpack, 'bin', 'release'), [path]).stdout;

  it('declares no default process without gunicorn', () => {
    assert.equal(release(join(fixtures, 'python-stdlib')), '---\ndefault_process_types: {}\n');
  });

  it('runs gunicorn with the app\'s WSGI module when gunicorn is a dependency', () => {
    assert.equal(
      release(app(dir, 'flask', { 'requirements.txt': 'Flask==3.0.0\nGunicorn[gevent]>=22 ; python_version >= "3.8"\n', 'app.py': '' })),
      '---\ndefault_process_types:\n  web: gunicorn app:app\n',
    );
    assert.equal(
      release(app(dir, 'django', { 'requirements.txt': 'django\ngunicorn\n', 'manage.py': '', 'mysite/wsgi.py': '', 'mysite/__init__.py': '' })),
      '---\ndefault_process_types:\n  web: gunicorn mysite.wsgi\n',
    );
    assert.equal(
      release(app(dir, 'pipenv', { Pipfile: '[packages]\ngunicorn = "*"\n', 'wsgi.py': '' })),
      '---\ndefault_process_types:\n  web: gunicorn wsgi\n',
    );
    assert.equal(release(app(dir, 'no-module', { 'requirements.txt': 'gunicorn\n' })), '---\ndefault_process_types: {}\n');
  });
});

describe('buildpack python: bin/compile without network', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-python-compile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the virtualenv and .profile.d for an app with no requirements', () => {
    const path = join(dir, 'stdlib');
    cpSync(join(fixtures, 'python-stdlib'), path, { recursive: true });
    const r = run(join(buildpack, 'bin', 'compile'), [path, join(dir, 'cache'), join(dir, 'env')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^-----> Using Python version specified in runtime\.txt\n {7}Using Python 3\.11\.\d+ from the stack\n/);
    assert.match(r.stdout, /^ {7}requirements\.txt lists no packages: nothing to install$/m);
    assert.ok(existsSync(join(path, '.heroku', 'python', 'bin', 'python3')));
    const profile = readFileSync(join(path, '.profile.d', 'python.sh'), 'utf8');
    assert.match(profile, /PATH="\$HOME\/\.heroku\/python\/bin:\$PATH"/);
    assert.match(profile, /PYTHONUNBUFFERED=1/);
  });

  it('fails clearly when runtime.txt asks for a Python the stack does not have', () => {
    const path = join(dir, 'bad');
    cpSync(join(fixtures, 'python-bad-runtime'), path, { recursive: true });
    const r = run(join(buildpack, 'bin', 'compile'), [path, join(dir, 'cache-bad')]);
    assert.equal(r.code, 1);
    const lines = (r.stdout + r.stderr).trim().split('\n');
    assert.match(lines.at(-1)!, /^ ! {5}Requested python-3\.12\.1 but this stack provides Python 3\.11\.\d+ only\.$/);
    assert.equal(existsSync(join(path, '.heroku')), false);
  });
});
