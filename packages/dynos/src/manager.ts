import type { ActualDyno, AppName, AppRoutes, ReleaseRecord } from '@slipway/core';
import { watchDynoEvents, type DockerEventsWatch, listDynos, startDyno, stopDyno, isContainerRunning, dynoLogTail, type DockerClient } from '@slipway/docker';
import {
  claimPort, releasePort, findApp, getCurrentRelease, getFormation, listApps, putAppRoutes, putDynoStatuses, watchDesired,
  getAppRoutes, getRestarts, listDomains, type DynoStatus, type RedisConnection, type Watch,
} from '@slipway/store';
import { plan, isEmptyPlan, type DesiredApp, type Plan, type StartSpec } from './plan.js';
import { portAccepts, portIsFree } from './readiness.js';

export interface DynoManagerOptions {
  redis: RedisConnection;
  docker: DockerClient;
  instance: string;
  portRange: { min: number; max: number };
  bootTimeoutMs?: number;
  stopGraceSeconds?: number;
  resyncMs?: number;
  log?: (line: string) => void;
  /** Platform events for the app's log, as `slipway[<dyno>]: <text>` (`State changed from starting to up`). */
  onEvent?: (app: AppName, dyno: string, text: string) => void;
}

export interface ReconcileResult {
  plan: Plan;
  /** Web dynos of the current release that are up after this pass. */
  upWeb: string[];
  /** Dynos that failed to boot in this pass, with the reason. */
  failed: { name: string; reason: string }[];
}

/**
 * The reconcile loop: observe (Docker labels), plan (pure), execute. It runs on
 * every formation or release change and on a timer, so a missed event or a
 * container removed by hand costs at most one tick. Passes for one app never
 * overlap; different apps reconcile in parallel.
 */
export class DynoManager {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly up = new Set<string>(); // container ids known to accept connections
  /** Crash back-off per dyno slot; it starts over for a new release. */
  private readonly restarts = new Map<string, { count: number; notBefore: number; release: number }>();
  private watch: Watch | null = null;
  private dockerEvents: DockerEventsWatch | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: DynoManagerOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    this.watch = await watchDesired(this.opts.redis, (err) => this.log(`dynos: watch error: ${String(err)}`));
    void this.consume(this.watch);
    // A dyno that dies is seen at once through Docker's events, not at the next resync.
    this.dockerEvents = watchDynoEvents(this.opts.docker, this.opts.instance, (app) => {
      if (!this.stopped) void this.reconcileApp(app as AppName).catch((err) => this.log(`dynos: ${app}: ${String(err)}`));
    });
    await this.reconcileAll();
    const tick = () => {
      if (this.stopped) return;
      this.reconcileAll()
        .catch((err) => this.log(`dynos: resync failed: ${String(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.resyncMs ?? 5000);
        });
    };
    this.timer = setTimeout(tick, this.opts.resyncMs ?? 5000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.watch?.close();
    this.dockerEvents?.close();
    await Promise.allSettled([...this.chains.values()]);
  }

  private async consume(watch: Watch): Promise<void> {
    for await (const change of watch) {
      if (change.app) void this.reconcileApp(change.app as AppName).catch((err) => this.log(`dynos: ${change.app}: ${String(err)}`));
    }
  }

  /** Every app in the store, plus any app that still has dynos but no longer exists. */
  async reconcileAll(): Promise<void> {
    const apps = new Set<string>((await listApps(this.opts.redis)).map((a) => a.name));
    for (const d of await listDynos(this.opts.docker, this.opts.instance)) apps.add(d.app);
    await Promise.all([...apps].map((app) => this.reconcileApp(app as AppName).catch((err) => this.log(`dynos: ${app}: ${String(err)}`))));
  }

  /** Queues a pass for the app behind any pass already running for it. */
  reconcileApp(app: AppName): Promise<ReconcileResult> {
    const previous = this.chains.get(app) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.pass(app));
    this.chains.set(app, next);
    void next.finally(() => {
      if (this.chains.get(app) === next) this.chains.delete(app);
    }).catch(() => undefined);
    return next;
  }

  /**
   * Rolls out a new release: one pass, then checks that every web dyno the
   * formation asks for runs this release and is up.
   */
  async rollOut(app: AppName, release: ReleaseRecord): Promise<void> {
    const result = await this.reconcileApp(app);
    const formation = await getFormation(this.opts.redis, app);
    const wantedWeb = release.processTypes.web ? (formation.web?.quantity ?? 0) : 0;
    if (result.failed.length > 0) {
      throw new Error(result.failed.map((f) => `${f.name}: ${f.reason}`).join('\n'));
    }
    if (result.upWeb.length < wantedWeb) throw new Error(`only ${result.upWeb.length} of ${wantedWeb} web dynos came up`);
  }

  private async desired(app: AppName): Promise<DesiredApp> {
    const record = await findApp(this.opts.redis, app);
    if (!record) return { app, exists: false, release: null, formation: {} };
    const release = await getCurrentRelease(this.opts.redis, app);
    const formation = await getFormation(this.opts.redis, app);
    const restarts = await getRestarts(this.opts.redis, app);
    return {
      app,
      exists: true,
      release: release?.image
        ? {
            version: release.version, image: release.image, processTypes: release.processTypes, configVars: release.configVars,
            launcher: release.launcher ?? 'slug', imageCommand: release.imageCommand ?? null, exposedPort: release.exposedPort ?? null,
          }
        : null,
      formation,
      restarts,
    };
  }

  private async observe(app: AppName): Promise<ActualDyno[]> {
    return (await listDynos(this.opts.docker, this.opts.instance)).filter((d) => d.app === app);
  }

  private async pass(app: AppName): Promise<ReconcileResult> {
    const desired = await this.desired(app);
    const actual = await this.observe(app);
    const now = Date.now();
    const heldBack = new Set([...this.restarts.entries()].filter(([k, r]) => k.startsWith(`${app}/`) && r.notBefore > now).map(([k]) => k.slice(app.length + 1)));
    const thePlan = plan(desired, actual, { heldBack });
    const failed: ReconcileResult['failed'] = [];

    if (!isEmptyPlan(thePlan)) this.log(`dynos: ${app}: ${describePlan(thePlan)}`);
    for (const d of thePlan.remove) {
      if (d.reason === 'crashed' || d.reason === 'exited') {
        this.noteCrash(app, d.name, actual.find((a) => a.containerId === d.containerId)?.release ?? 0);
        const exit = actual.find((a) => a.containerId === d.containerId)?.exitCode;
        if (exit !== null && exit !== undefined) this.event(app, d.name, `Process exited with status ${exit}`);
        this.event(app, d.name, 'State changed from up to crashed');
      }
      await this.stopOne(d.containerId, d.reason === 'crashed' || d.reason === 'exited' ? 0 : this.opts.stopGraceSeconds);
    }

    const started = await Promise.all(thePlan.start.map((spec) => this.startOne(app, spec)));
    await Promise.all(
      started.map(async (s) => {
        if (!s) return;
        const reason = await this.waitUntilUp(s.id, s.spec);
        if (reason) {
          failed.push({ name: s.spec.name, reason });
          this.noteCrash(app, s.spec.name, s.spec.release);
          this.event(app, s.spec.name, 'State changed from starting to crashed');
        } else {
          this.restarts.delete(`${app}/${s.spec.name}`);
          this.event(app, s.spec.name, 'State changed from starting to up');
        }
      }),
    );

    // Probe web dynos not yet known to be up (a daemon restart adopts running dynos this way).
    let running = await this.observe(app);
    await Promise.all(
      running.filter((d) => d.running && d.type === 'web' && d.port && !this.up.has(d.containerId)).map(async (d) => {
        if (await portAccepts(d.port!)) this.up.add(d.containerId);
      }),
    );
    await this.publishRoutes(app, desired, running);

    // Old dynos go only when their replacement is up; otherwise they keep serving.
    const replacementUp = (old: ActualDyno | undefined) =>
      old !== undefined &&
      running.some((d) => d.name === old.name && d.containerId !== old.containerId && d.release === desired.release?.version && d.createdAt > old.createdAt && this.isUp(d));
    for (const d of thePlan.retire) {
      if (replacementUp(running.find((r) => r.containerId === d.containerId))) await this.stopOne(d.containerId, this.opts.stopGraceSeconds);
    }
    if (thePlan.retire.length) {
      running = await this.observe(app);
      await this.publishRoutes(app, desired, running);
    }
    await this.publishStatuses(app, running, desired);
    const upWeb = running.filter((d) => d.type === 'web' && d.release === desired.release?.version && this.isUp(d)).map((d) => d.name);
    return { plan: thePlan, upWeb, failed };
  }

  private isUp(d: ActualDyno): boolean {
    return d.running && (d.type !== 'web' || this.up.has(d.containerId));
  }

  private async startOne(app: AppName, spec: StartSpec): Promise<{ id: string; spec: StartSpec; port: number | null } | null> {
    let port: number | null = null;
    try {
      if (spec.type === 'web' && spec.fixedPort) port = spec.fixedPort;
      else if (spec.type === 'web') port = await claimPort(this.opts.redis, `${app}:${spec.name}:v${spec.release}`, this.opts.portRange, portIsFree);
      const id = await startDyno(this.opts.docker, this.opts.instance, { app, ...spec, port });
      this.log(`dynos: ${app}: started ${spec.name} (v${spec.release}) on port ${port ?? '-'}`);
      this.event(app, spec.name, `Starting process with command \`${spec.command}\``);
      return { id, spec, port };
    } catch (err) {
      if (port && !spec.fixedPort) await releasePort(this.opts.redis, port);
      this.log(`dynos: ${app}: could not start ${spec.name}: ${String(err)}`);
      return null;
    }
  }

  /** Resolves null once the dyno is up, or the reason it never came up (R10 after the boot timeout). */
  private async waitUntilUp(id: string, spec: StartSpec): Promise<string | null> {
    if (spec.type !== 'web') return null;
    const info = await this.opts.docker.getContainer(id).inspect();
    const port = Number(info.Config.Labels?.['io.slipway.port'] ?? 0);
    const deadline = Date.now() + (this.opts.bootTimeoutMs ?? 60_000);
    while (Date.now() < deadline && !this.stopped) {
      if (!(await isContainerRunning(this.opts.docker, id))) {
        const exit = await this.opts.docker.getContainer(id).inspect().then((i) => i.State.ExitCode, () => null);
        if (exit !== null) this.event(info.Config.Labels?.['io.slipway.app'] ?? '', spec.name, `Process exited with status ${exit}`);
        const tail = await dynoLogTail(this.opts.docker, id).catch(() => '');
        return `crashed during boot (Error R10 or exit)${tail ? `\n${tail.trimEnd()}` : ''}`;
      }
      if (await portAccepts(port)) {
        this.up.add(id);
        return null;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    // Shutting down is not a boot timeout: leave the dyno for the next start to adopt.
    if (this.stopped) return null;
    const r10 = `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${Math.round((this.opts.bootTimeoutMs ?? 60_000) / 1000)} seconds of launch`;
    this.event(info.Config.Labels?.['io.slipway.app'] ?? '', spec.name, r10);
    this.event(info.Config.Labels?.['io.slipway.app'] ?? '', spec.name, 'Stopping process with SIGKILL');
    await this.stopOne(id, 0);
    return r10;
  }

  private async stopOne(containerId: string, grace = this.opts.stopGraceSeconds ?? 30): Promise<void> {
    const info = await this.opts.docker.getContainer(containerId).inspect().catch(() => null);
    const port = Number(info?.Config.Labels?.['io.slipway.port'] ?? 0);
    const [app, dyno] = [info?.Config.Labels?.['io.slipway.app'] ?? '', info?.Config.Labels?.['io.slipway.dyno'] ?? ''];
    if (info?.State.Running && grace > 0) this.event(app, dyno, 'Stopping all processes with SIGTERM');
    await stopDyno(this.opts.docker, this.opts.instance, containerId, grace);
    if (info?.State.Running && grace > 0) this.event(app, dyno, 'State changed from up to down');
    this.up.delete(containerId);
    if (port) await releasePort(this.opts.redis, port);
  }

  private event(app: string, dyno: string, text: string): void {
    if (app && dyno) this.opts.onEvent?.(app as AppName, dyno, text);
  }

  private noteCrash(app: AppName, name: string, release: number): void {
    const key = `${app}/${name}`;
    const previous = this.restarts.get(key);
    const count = (previous && previous.release === release ? previous.count : 0) + 1;
    const delay = Math.min(1000 * 2 ** (count - 1), 5 * 60_000);
    this.restarts.set(key, { count, notBefore: Date.now() + delay, release });
  }

  /**
   * Routes go to up web dynos of the current release; while none is up yet,
   * the older release's dynos keep serving.
   */
  private async publishRoutes(app: AppName, desired: DesiredApp, running: ActualDyno[]): Promise<void> {
    if (!desired.exists) return;
    const upWeb = running.filter((d) => d.type === 'web' && d.port && this.isUp(d));
    const current = upWeb.filter((d) => d.release === desired.release?.version);
    const chosen = current.length ? current : upWeb;
    const previous = await getAppRoutes(this.opts.redis, app);
    const record = await findApp(this.opts.redis, app);
    const routes: AppRoutes = {
      app,
      // The app's domains are the record of truth; reading the old routes record here could lose a domain added meanwhile.
      hostnames: (await listDomains(this.opts.redis, app)).map((d) => d.hostname),
      maintenance: record?.maintenance ?? false,
      targets: chosen.map((d) => ({ dyno: d.name, port: d.port!, release: d.release })).sort((a, b) => a.dyno.localeCompare(b.dyno)),
    };
    if (JSON.stringify(routes) !== JSON.stringify(previous)) await putAppRoutes(this.opts.redis, routes);
  }

  private async publishStatuses(app: AppName, running: ActualDyno[], desired: DesiredApp): Promise<void> {
    if (!desired.exists) return;
    const now = new Date().toISOString();
    const statuses: DynoStatus[] = running.map((d) => ({
      name: d.name,
      type: d.type,
      state: !d.running ? 'crashed' : this.isUp(d) ? 'up' : 'starting',
      release: d.release,
      port: d.port,
      containerId: d.containerId,
      command: d.command,
      size: d.size,
      createdAt: d.createdAt,
      updatedAt: now,
    }));
    await putDynoStatuses(this.opts.redis, app, statuses);
  }
}

function describePlan(p: Plan): string {
  const parts = [
    ...p.start.map((s) => `+${s.name}@v${s.release}`),
    ...p.retire.map((r) => `~${r.name} (${r.reason})`),
    ...p.remove.map((r) => `-${r.name} (${r.reason})`),
  ];
  return parts.join(' ');
}
