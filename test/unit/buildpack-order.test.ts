import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The build driver with no arguments tries the buildpacks in the order
// buildpacks/ORDER gives. Detection is checked with the real bin/detect
// scripts and stand-in compile and release scripts (the real ones download
// node or Go); the procfile and python buildpacks, which need no network for
// these fixtures, are run for real.
const root = fileURLToPath(new URL('../..', import.meta.url));
const buildpacks = join(root, 'buildpacks');
const driver = join(root, 'packages', 'builder', 'container', 'build');
const fixtures = join(root, 'test', 'fixtures');
// The stack runs /usr/bin/python3; a version manager's shim earlier in PATH
// (pyenv's takes 0.1 s a call) would make these tests several times slower.
const FAST_PATH = `/usr/bin:${process.env.PATH ?? ''}`;

function order(): string[] {
  return readFileSync(join(buildpacks, 'ORDER'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

describe('buildpacks/ORDER and the driver', () => {
  let dir = '';
  let stand = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-order-'));
    // Stand-ins: the real bin/detect, a compile that says which buildpack
    // ran, a release with no process types.
    stand = join(dir, 'buildpacks');
    for (const name of order()) {
      mkdirSync(join(stand, name, 'bin'), { recursive: true });
      cpSync(join(buildpacks, name, 'bin', 'detect'), join(stand, name, 'bin', 'detect'));
      writeFileSync(join(stand, name, 'bin', 'compile'), `#!/usr/bin/env bash\necho "       compiled by ${name}"\n`);
      writeFileSync(join(stand, name, 'bin', 'release'), "#!/usr/bin/env bash\nprintf -- '---\\ndefault_process_types: {}\\n'\n");
      for (const script of ['detect', 'compile', 'release']) chmodSync(join(stand, name, 'bin', script), 0o755);
    }
    cpSync(join(buildpacks, 'ORDER'), join(stand, 'ORDER'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function drive(app: string, buildpacksDir: string, args: string[] = []) {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync(driver, args, {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        PATH: FAST_PATH,
        SLIPWAY_APP_DIR: app,
        SLIPWAY_CACHE_DIR: join(dir, 'cache'),
        SLIPWAY_ENV_DIR: join(dir, 'env'),
        SLIPWAY_OUT_DIR: out,
        SLIPWAY_BUILDPACKS_DIR: buildpacksDir,
        SLIPWAY_LAUNCH_PATH: join(dir, 'launch'),
      },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, out };
  }

  function copy(fixture: string, extra: Record<string, string> = {}): string {
    const app = join(dir, 'apps', `${fixture}-${Math.random().toString(36).slice(2)}`);
    cpSync(join(fixtures, fixture), app, { recursive: true });
    for (const [file, content] of Object.entries(extra)) writeFileSync(join(app, file), content);
    return app;
  }

  it('lists every built-in buildpack, nodejs first, static after the languages, procfile last', () => {
    const names = order();
    assert.deepEqual([...names].sort(), ['go', 'nodejs', 'procfile', 'python', 'static']);
    assert.equal(names[0], 'nodejs');
    assert.ok(names.indexOf('static') > names.indexOf('python') && names.indexOf('static') > names.indexOf('go'));
    assert.equal(names.at(-1), 'procfile');
    for (const name of names) {
      for (const script of ['detect', 'compile', 'release']) {
        assert.ok(existsSync(join(buildpacks, name, 'bin', script)), `${name}/bin/${script}`);
      }
      assert.ok(existsSync(join(buildpacks, name, 'README.md')), `${name}/README.md`);
    }
  });

  const cases: Array<{ fixture: string; extra?: Record<string, string>; want: string; bp: string }> = [
    { fixture: 'node-express', want: 'Node.js', bp: 'nodejs' },
    { fixture: 'node-express', extra: { 'index.html': '<h1>hi</h1>\n', 'requirements.txt': '' }, want: 'Node.js', bp: 'nodejs' },
    { fixture: 'python-stdlib', want: 'Python', bp: 'python' },
    { fixture: 'python-stdlib', extra: { 'index.html': '<h1>hi</h1>\n' }, want: 'Python', bp: 'python' },
    { fixture: 'go-http', want: 'Go', bp: 'go' },
    { fixture: 'go-http', extra: { 'static.json': '{}' }, want: 'Go', bp: 'go' },
    { fixture: 'static-site', want: 'Static', bp: 'static' },
    { fixture: 'static-site', extra: { Procfile: 'web: ./serve\n' }, want: 'Static', bp: 'static' },
    { fixture: 'procfile-shell', want: 'Procfile', bp: 'procfile' },
  ];
  for (const c of cases) {
    it(`builds ${c.fixture}${c.extra ? ` with ${Object.keys(c.extra).join(' and ')}` : ''} with ${c.bp}`, () => {
      const r = drive(copy(c.fixture, c.extra), stand);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^-----> ${c.want.replace('.', '\\.')} app detected\n {7}compiled by ${c.bp}\n`));
      assert.equal(readFileSync(join(r.out, 'buildpack'), 'utf8'), `${c.want}\n`);
    });
  }

  it('still fails with Heroku\'s message when nothing detects, not even procfile', () => {
    const r = drive(copy('no-language'), stand);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, ' !     No default language could be detected for this app.\n');
  });

  it('tries buildpacks missing from ORDER after the listed ones, in name order', () => {
    const extra = join(dir, 'with-extra');
    cpSync(stand, extra, { recursive: true });
    mkdirSync(join(extra, 'aaa', 'bin'), { recursive: true });
    for (const script of ['detect', 'compile', 'release']) {
      writeFileSync(join(extra, 'aaa', 'bin', script), script === 'detect' ? '#!/usr/bin/env bash\necho AAA\n' : '#!/usr/bin/env bash\ntrue\n');
      chmodSync(join(extra, 'aaa', 'bin', script), 0o755);
    }
    assert.match(drive(copy('node-express'), extra).stdout, /^-----> Node\.js app detected$/m);
    assert.match(drive(copy('no-language'), extra).stdout, /^-----> AAA app detected$/m);
  });

  it('builds a Procfile-only app with the real procfile buildpack, as before: "Procfile app detected"', () => {
    const r = drive(copy('procfile-shell'), buildpacks);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(
      r.stdout,
      '-----> Procfile app detected\n-----> Discovering process types\n       Procfile declares types -> web, worker\n',
    );
    assert.equal(readFileSync(join(r.out, 'release.yml'), 'utf8'), '---\ndefault_process_types: {}\n');
    assert.equal(readFileSync(join(r.out, 'default-process-types.json'), 'utf8').trim(), '{}');
  });

  it('builds python-stdlib for real with no network, and stops python-bad-runtime with its reason last', () => {
    const ok = drive(copy('python-stdlib'), buildpacks);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^-----> Python app detected\n-----> Using Python version specified in runtime\.txt\n/);
    const bad = drive(copy('python-bad-runtime'), buildpacks);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, / ! {5}Requested python-3\.12\.1 but this stack provides Python 3\.11\.\d+ only\.\n$/);
  });

  it('runs every buildpack it is given, in order, each of which must detect; the last one\'s release counts', () => {
    const app = copy('node-express', { 'requirements.txt': '' });
    const r = drive(app, stand, [join(stand, 'python'), join(stand, 'nodejs')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^-----> Python app detected\n {7}compiled by python\n-----> Node\.js app detected\n {7}compiled by nodejs\n/);
    assert.equal(readFileSync(join(r.out, 'buildpack'), 'utf8'), 'Node.js\n');
    const refused = drive(copy('node-express'), stand, [join(stand, 'go')]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, ` !     App not compatible with buildpack: ${join(stand, 'go')}\n`);
  });

  it('clones a buildpack given as a git URL, at its #ref, and caches under the repository\'s name', () => {
    const repo = join(dir, 'heroku-buildpack-hello.git');
    const work = join(dir, 'hello-work');
    mkdirSync(join(work, 'bin'), { recursive: true });
    writeFileSync(join(work, 'bin', 'detect'), '#!/usr/bin/env bash\necho Hello\n');
    writeFileSync(join(work, 'bin', 'compile'), '#!/usr/bin/env bash\necho "       cache $2"\n');
    writeFileSync(join(work, 'bin', 'release'), "#!/usr/bin/env bash\nprintf -- '---\\ndefault_process_types:\\n  web: hello\\n'\n");
    const git = (args: string[], cwd: string) => {
      const g = spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
      assert.equal(g.status, 0, g.stderr);
    };
    git(['init', '-q', '-b', 'main'], work);
    git(['add', '-A'], work);
    git(['commit', '-qm', 'v1'], work);
    git(['tag', 'v1'], work);
    git(['clone', '-q', '--bare', work, repo], dir);
    const r = drive(copy('no-language'), stand, [`file://${repo}#v1`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^-----> Fetching buildpack file://${repo}#v1\n-----> Hello app detected\n {7}cache ${join(dir, 'cache')}/heroku-buildpack-hello\n`));
    assert.equal(readFileSync(join(r.out, 'release.yml'), 'utf8'), '---\ndefault_process_types:\n  web: hello\n');
    const missing = drive(copy('no-language'), stand, [`file://${join(dir, 'nope.git')}`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^ ! {5}Could not fetch buildpack file:\/\/.*nope\.git: .+\n$/m);
  });

  it('passes compile output through as it is printed, not when the buildpack ends', () => {
    const slow = join(dir, 'slow');
    mkdirSync(join(slow, 'slow', 'bin'), { recursive: true });
    const scripts: Record<string, string> = {
      detect: 'echo Slow',
      // The second line only comes once the driver has passed on the first.
      compile:
        'echo "       first"; for i in $(seq 1 100); do if grep -q first "$SEEN"; then echo "       second"; exit 0; fi; sleep 0.05; done; echo "       held back"',
      release: "printf -- '---\\n{}\\n'",
    };
    for (const [script, body] of Object.entries(scripts)) {
      writeFileSync(join(slow, 'slow', 'bin', script), `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(join(slow, 'slow', 'bin', script), 0o755);
    }
    const seen = join(dir, 'seen.txt');
    // The driver's stdout goes to a file that the compile script watches.
    const r = spawnSync('bash', ['-c', `"${driver}" > "${seen}"; echo "exit=$?"`], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        ...process.env,
        PATH: FAST_PATH,
        SEEN: seen,
        SLIPWAY_APP_DIR: copy('no-language'),
        SLIPWAY_CACHE_DIR: join(dir, 'cache'),
        SLIPWAY_ENV_DIR: join(dir, 'env'),
        SLIPWAY_OUT_DIR: join(dir, 'out-slow'),
        SLIPWAY_BUILDPACKS_DIR: slow,
        SLIPWAY_LAUNCH_PATH: join(dir, 'launch'),
      },
    });
    assert.equal(r.stdout, 'exit=0\n');
    assert.match(readFileSync(seen, 'utf8'), /^-----> Slow app detected\n {7}first\n {7}second\n/);
  });
});
