import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActualDyno, AppName, Formation } from '@slipway/core';
import { plan, isEmptyPlan, type DesiredApp, type Plan } from '@slipway/dynos';

const app = 'demo' as AppName;
const release = (version: number) => ({ version, image: `slipway/demo:v${version}`, processTypes: { web: 'node server.js', worker: 'node worker.js' }, configVars: { A: '1' } });
const formation = (web: number, worker = 0): Formation => ({
  web: { type: 'web', quantity: web, size: 'standard-1x' },
  worker: { type: 'worker', quantity: worker, size: 'standard-1x' },
});
let seq = 0;
function dyno(name: string, releaseVersion: number, extra: Partial<ActualDyno> = {}): ActualDyno {
  const type = name.split('.')[0] ?? 'web';
  seq += 1;
  return {
    containerId: `c${seq}`, app, name, type, release: releaseVersion, port: type === 'web' ? 20000 + seq : null, size: 'standard-1x',
    command: type === 'web' ? 'node server.js' : 'node worker.js', running: true, exitCode: null, createdAt: `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`, ...extra,
  };
}
const desired = (web: number, worker = 0, version = 1): DesiredApp => ({ app, exists: true, release: release(version), formation: formation(web, worker) });

/** Runs a plan against a simulated world: what Docker would hold after it. */
function apply(actual: ActualDyno[], p: Plan): ActualDyno[] {
  const gone = new Set([...p.remove, ...p.retire].map((d) => d.containerId));
  return [...actual.filter((d) => !gone.has(d.containerId)), ...p.start.map((s) => dyno(s.name, s.release, { command: s.command, size: s.size }))];
}

const cases: { desc: string; desired: DesiredApp; actual: ActualDyno[]; start: string[]; retire: string[]; remove: string[] }[] = [
  { desc: 'no dynos yet: start web.1', desired: desired(1), actual: [], start: ['web.1'], retire: [], remove: [] },
  { desc: '+1 web', desired: desired(2), actual: [dyno('web.1', 1)], start: ['web.2'], retire: [], remove: [] },
  { desc: '-1 web removes the highest index', desired: desired(1), actual: [dyno('web.1', 1), dyno('web.2', 1)], start: [], retire: [], remove: ['web.2'] },
  { desc: 'a worker scaled from 0 to 2', desired: desired(1, 2), actual: [dyno('web.1', 1)], start: ['worker.1', 'worker.2'], retire: [], remove: [] },
  { desc: 'new release replaces every dyno, old ones retire after', desired: desired(2, 1, 2), actual: [dyno('web.1', 1), dyno('web.2', 1), dyno('worker.1', 1)], start: ['web.1', 'web.2', 'worker.1'], retire: ['web.1', 'web.2', 'worker.1'], remove: [] },
  { desc: 'type removed from Procfile', desired: { app, exists: true, release: { ...release(2), processTypes: { web: 'node server.js' } }, formation: { web: { type: 'web', quantity: 1, size: 'standard-1x' } } }, actual: [dyno('web.1', 2), dyno('worker.1', 1)], start: [], retire: [], remove: ['worker.1'] },
  { desc: 'no desired formation removes everything', desired: { app, exists: true, release: release(1), formation: {} }, actual: [dyno('web.1', 1)], start: [], retire: [], remove: ['web.1'] },
  { desc: 'app destroyed removes everything', desired: { app, exists: false, release: null, formation: {} }, actual: [dyno('web.1', 1), dyno('worker.1', 1)], start: [], retire: [], remove: ['web.1', 'worker.1'] },
  { desc: 'nothing deployed yet starts nothing', desired: { app, exists: true, release: null, formation: {} }, actual: [], start: [], retire: [], remove: [] },
  { desc: 'a crashed dyno is replaced', desired: desired(1), actual: [dyno('web.1', 1, { running: false, exitCode: 1 })], start: ['web.1'], retire: [], remove: ['web.1'] },
  { desc: 'a duplicate of the same slot is removed', desired: desired(1), actual: [dyno('web.1', 1), dyno('web.1', 1)], start: [], retire: [], remove: ['web.1'] },
  { desc: 'a size change replaces the dyno', desired: { ...desired(1), formation: { web: { type: 'web', quantity: 1, size: 'standard-2x' } } }, actual: [dyno('web.1', 1)], start: ['web.1'], retire: ['web.1'], remove: [] },
  { desc: "another app's dynos are left alone", desired: desired(1), actual: [dyno('web.1', 1), { ...dyno('web.1', 1), app: 'other' as AppName }], start: [], retire: [], remove: [] },
];

describe('plan', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const p = plan(c.desired, c.actual);
      assert.deepEqual(p.start.map((s) => s.name).sort(), [...c.start].sort());
      assert.deepEqual(p.retire.map((s) => s.name).sort(), [...c.retire].sort());
      assert.deepEqual(p.remove.map((s) => s.name).sort(), [...c.remove].sort());
    });
  }

  for (const c of cases) {
    it(`applying the plan and planning again is empty: ${c.desc}`, () => {
      const mine = c.actual.filter((d) => d.app === app);
      const after = apply(mine, plan(c.desired, mine));
      assert.ok(isEmptyPlan(plan(c.desired, after)), JSON.stringify(plan(c.desired, after)));
    });
  }

  it('keeps a crashed dyno while its back-off holds it, so ps can show it', () => {
    const crashed = dyno('web.1', 1, { running: false, exitCode: 1 });
    const p = plan(desired(1), [crashed], { heldBack: new Set(['web.1']) });
    assert.ok(isEmptyPlan(p));
  });

  it('starts new dynos with the release config, command and image', () => {
    const p = plan(desired(1, 0, 3), []);
    assert.deepEqual(p.start[0], { name: 'web.1', type: 'web', release: 3, image: 'slipway/demo:v3', command: 'node server.js', size: 'standard-1x', env: { A: '1' } });
  });
});

describe('plan with restarts', () => {
  it('replaces dynos created before a restart of all, new ones first', () => {
    const old = dyno('web.1', 1, { createdAt: '2026-01-01T00:00:00.000Z' });
    const p = plan({ ...desired(1), restarts: { '*': '2026-01-01T00:01:00.000Z' } }, [old]);
    assert.deepEqual(p.start.map((s) => s.name), ['web.1']);
    assert.deepEqual(p.retire.map((r) => [r.name, r.reason]), [['web.1', 'restarted']]);
  });

  it('leaves dynos created after the restart alone', () => {
    const fresh = dyno('web.1', 1, { createdAt: '2026-01-01T00:02:00.000Z' });
    assert.ok(isEmptyPlan(plan({ ...desired(1), restarts: { '*': '2026-01-01T00:01:00.000Z' } }, [fresh])));
  });

  it('restarts only the named type or dyno', () => {
    const web1 = dyno('web.1', 1, { createdAt: '2026-01-01T00:00:00.000Z' });
    const web2 = dyno('web.2', 1, { createdAt: '2026-01-01T00:00:00.000Z' });
    const worker = dyno('worker.1', 1, { createdAt: '2026-01-01T00:00:00.000Z' });
    const byName = plan({ ...desired(2, 1), restarts: { 'web.2': '2026-01-01T00:01:00.000Z' } }, [web1, web2, worker]);
    assert.deepEqual(byName.start.map((s) => s.name), ['web.2']);
    const byType = plan({ ...desired(2, 1), restarts: { worker: '2026-01-01T00:01:00.000Z' } }, [web1, web2, worker]);
    assert.deepEqual(byType.start.map((s) => s.name), ['worker.1']);
  });

  it('a restarted slot whose replacement is running and the old one retired plans nothing more', () => {
    const old = dyno('web.1', 1, { createdAt: '2026-01-01T00:00:00.000Z' });
    const restarts = { '*': '2026-01-01T00:01:00.000Z' };
    const first = plan({ ...desired(1), restarts }, [old]);
    const replacement = dyno('web.1', 1, { createdAt: '2026-01-01T00:01:30.000Z' });
    const second = plan({ ...desired(1), restarts }, [old, replacement]);
    assert.equal(first.start.length, 1);
    assert.deepEqual(second.start, []);
    assert.deepEqual(second.retire.map((r) => r.containerId), [old.containerId]);
    assert.ok(isEmptyPlan(plan({ ...desired(1), restarts }, [replacement])));
  });
});
