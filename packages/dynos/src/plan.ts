import { dynoName, parseDynoName, type ActualDyno, type AppName, type ConfigVars, type DynoSize, type Formation, type ProcessTypes } from '@slipway/core';

/** What should run for one app: its current release and formation. `null` release: nothing deployed yet. */
export interface DesiredApp {
  app: AppName;
  exists: boolean;
  release: {
    version: number;
    image: string;
    processTypes: ProcessTypes;
    configVars: ConfigVars;
    launcher?: 'slug' | 'image';
    imageCommand?: string | null;
    exposedPort?: number | null;
  } | null;
  formation: Formation;
  /** Restart requests: `*`, a process type or a dyno name -> ISO time; dynos created before it are replaced. */
  restarts?: Record<string, string>;
}

export interface StartSpec {
  name: string;
  type: string;
  release: number;
  image: string;
  command: string;
  size: DynoSize;
  env: ConfigVars;
  launcher?: 'slug' | 'image';
  /** Run the image's own ENTRYPOINT and CMD unchanged. */
  useImageCommand?: boolean;
  /** The image EXPOSEs this port for web: the dyno gets it rather than one from the pool. */
  fixedPort?: number | null;
}

export interface DynoRef {
  containerId: string;
  name: string;
  reason: string;
}

/**
 * Plain data, so it can be logged and compared in tests. `start` runs first;
 * `retire` stops only after the replacements are up (zero downtime); `remove`
 * goes at once.
 */
export interface Plan {
  app: AppName;
  start: StartSpec[];
  retire: DynoRef[];
  remove: DynoRef[];
}

export interface PlanOptions {
  /** Dyno names whose crash back-off has not yet run out: their crashed container stays for `ps` to show. */
  heldBack?: ReadonlySet<string>;
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.start.length === 0 && plan.retire.length === 0 && plan.remove.length === 0;
}

/**
 * The diff of desired against actual, with no side effects (Flynn's
 * formation diff). Applying the plan and planning again gives an empty plan.
 */
export function plan(desired: DesiredApp, actual: readonly ActualDyno[], options: PlanOptions = {}): Plan {
  const result: Plan = { app: desired.app, start: [], retire: [], remove: [] };
  const release = desired.release;
  const mine = actual.filter((d) => d.app === desired.app);
  if (!desired.exists || !release) {
    for (const d of mine) result.remove.push(ref(d, desired.exists ? 'no release' : 'app destroyed'));
    return result;
  }

  const wanted = new Map<string, StartSpec>();
  for (const entry of Object.values(desired.formation)) {
    const command = release.processTypes[entry.type];
    if (command === undefined) continue;
    for (let i = 1; i <= entry.quantity; i++) {
      const name = dynoName(entry.type, i);
      const spec: StartSpec = { name, type: entry.type, release: release.version, image: release.image, command, size: entry.size, env: release.configVars };
      if (release.launcher === 'image') {
        spec.launcher = 'image';
        spec.useImageCommand = command === release.imageCommand;
        if (entry.type === 'web' && release.exposedPort) spec.fixedPort = release.exposedPort;
      }
      wanted.set(name, spec);
    }
  }

  const bySlot = new Map<string, ActualDyno[]>();
  for (const d of mine) {
    const parsed = parseDynoName(d.name);
    if (!parsed || !wanted.has(d.name)) {
      result.remove.push(ref(d, 'scaled down'));
      continue;
    }
    bySlot.set(d.name, [...(bySlot.get(d.name) ?? []), d]);
  }

  for (const [name, spec] of wanted) {
    const dynos = [...(bySlot.get(name) ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const restartAfter = [desired.restarts?.['*'], desired.restarts?.[spec.type], desired.restarts?.[name]]
      .filter((t): t is string => t !== undefined)
      .sort()
      .pop();
    const fresh = (d: ActualDyno) => matches(d, spec) && (restartAfter === undefined || d.createdAt >= restartAfter);
    const current = dynos.filter(fresh);
    const keep = current.find((d) => d.running) ?? (options.heldBack?.has(name) ? current[0] : undefined);
    for (const d of dynos) {
      if (d === keep) continue;
      if (fresh(d)) result.remove.push(ref(d, d.running ? 'duplicate' : 'crashed'));
      // A dyno on a fixed (EXPOSEd) port must go before its replacement can bind it.
      else if (d.running && !spec.fixedPort) result.retire.push(ref(d, matches(d, spec) ? 'restarted' : `replaced by v${spec.release}`));
      else if (d.running) result.remove.push(ref(d, `replaced by v${spec.release} on fixed port ${spec.fixedPort}`));
      else result.remove.push(ref(d, 'exited'));
    }
    if (!keep) result.start.push(spec);
  }
  return result;
}

function matches(d: ActualDyno, spec: StartSpec): boolean {
  return d.release === spec.release && d.size === spec.size && d.command === spec.command;
}

function ref(d: ActualDyno, reason: string): DynoRef {
  return { containerId: d.containerId, name: d.name, reason };
}
