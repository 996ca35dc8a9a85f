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
  /**
   * Resolves once the router serves these routes. Before a dyno is told to
   * stop, the manager writes routes without it and waits on this (the router
   * bounds the wait), so no new request reaches a dyno that is shutting down.
   */
  routed?: (routes: AppRoutes) => Promise<unknown>;
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
  /** Dynos taken out of rotation because they are being stopped: no new requests during their grace period. */
  private readonly leaving = new Set<string>();
  /** Route publishing per app, serialised so an older view never lands after a newer one. */
  private readonly publishing = new Map<string, Promise<unknown>>();
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
    this.dockerEvents = watchDynoEvents(this.opts.docker, this.opts.instance, ({ app, containerId }) => {
      if (this.stopped) return;
      // Out of rotation now, not after the pass below has started (and waited for) a replacement.
      if (this.up.delete(containerId)) void this.publishRoutes(app as AppName).catch((err) => this.log(`dynos: ${app}: ${String(err)}`));
      void this.reconcileApp(app as AppName).catch((err) => this.log(`dynos: ${app}: ${String(err)}`));
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
    return queue(this.chains, app, () => this.pass(app));
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

  /** Stops dynos by hand (`ps:stop`): out of rotation first, then SIGTERM and the grace period. The formation brings them back. */
  async stopDynos(app: AppName, containerIds: string[]): Promise<void> {
    for (const id of containerIds) this.leaving.add(id);
    await this.outOfRotation(app);
    await Promise.all(containerIds.map((id) => this.stopOne(id, this.opts.stopGraceSeconds)));
    void this.reconcileApp(app).catch((err) => this.log(`dynos: ${app}: ${String(err)}`));
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
    if (thePlan.remove.length > 0) {
      // The router stops sending requests to a dyno before it is told to stop, as Heroku's does.
      for (const d of thePlan.remove) this.leaving.add(d.containerId);
      await this.outOfRotation(app);
    }
    await Promise.all(
      thePlan.remove.map(async (d) => {
        if (d.reason === 'crashed' || d.reason === 'exited') {
          this.noteCrash(app, d.name, actual.find((a) => a.containerId === d.containerId)?.release ?? 0);
          const exit = actual.find((a) => a.containerId === d.containerId)?.exitCode;
          if (exit !== null && exit !== undefined) this.event(app, d.name, `Process exited with status ${exit}`);
          this.event(app, d.name, 'State changed from up to crashed');
        }
        await this.stopOne(d.containerId, d.reason === 'crashed' || d.reason === 'exited' ? 0 : this.opts.stopGraceSeconds);
      }),
    );

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
          // Into rotation as soon as it answers, not when the slowest of this pass's dynos does.
          if (s.spec.type === 'web') await this.publishRoutes(app);
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
    await this.publishRoutes(app);

    // Old dynos go only when their replacement is up; otherwise they keep serving.
    const replacementUp = (old: ActualDyno | undefined) =>
      old !== undefined &&
      running.some((d) => d.name === old.name && d.containerId !== old.containerId && d.release === desired.release?.version && d.createdAt > old.createdAt && this.isUp(d));
    const retiring = thePlan.retire.filter((d) => replacementUp(running.find((r) => r.containerId === d.containerId)));
    if (retiring.length > 0) {
      for (const d of retiring) this.leaving.add(d.containerId);
      await this.outOfRotation(app);
      await Promise.all(retiring.map((d) => this.stopOne(d.containerId, this.opts.stopGraceSeconds)));
      running = await this.observe(app);
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
    // A connect on loopback costs microseconds, so probe often: a dyno is in rotation within a poll of binding $PORT.
    // Asking Docker whether it still runs costs more, so that is checked every tenth poll.
    for (let poll = 0; Date.now() < deadline && !this.stopped; poll++) {
      if (poll % 10 === 0 && !(await isContainerRunning(this.opts.docker, id))) {
        const exit = await this.opts.docker.getContainer(id).inspect().then((i) => i.State.ExitCode, () => null);
        if (exit !== null) this.event(info.Config.Labels?.['io.slipway.app'] ?? '', spec.name, `Process exited with status ${exit}`);
        const tail = await dynoLogTail(this.opts.docker, id).catch(() => '');
        return `crashed during boot (Error R10 or exit)${tail ? `\n${tail.trimEnd()}` : ''}`;
      }
      if (await portAccepts(port)) {
        this.up.add(id);
        return null;
      }
      await new Promise((r) => setTimeout(r, UP_POLL_MS));
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
    try {
      await stopDyno(this.opts.docker, this.opts.instance, containerId, grace);
    } finally {
      // A dyno that could not be stopped is not kept out of the routes for ever: the next pass sees it as it is.
      this.leaving.delete(containerId);
    }
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
   * Writes the app's routes from what runs now. Each web slot (`web.1`, ...)
   * is served by its current-release dyno once that is up, and until then by
   * an older release's dyno that is still up, so a rolling deploy keeps its
   * capacity and each new dyno takes requests as soon as it answers. Dynos
   * being stopped are left out. Serialised per app: each call observes afresh.
   */
  private async outOfRotation(app: AppName): Promise<void> {
    const routes = await this.publishRoutes(app);
    if (routes) await this.opts.routed?.(routes);
  }

  private publishRoutes(app: AppName): Promise<AppRoutes | null> {
    return queue(this.publishing, app, () => this.writeRoutes(app));
  }

  /** The routes now in force for the app, or null when it no longer exists. */
  private async writeRoutes(app: AppName): Promise<AppRoutes | null> {
    // Read together: this runs on the way into and out of rotation, where every millisecond counts.
    const [record, current, running, previous, domains] = await Promise.all([
      findApp(this.opts.redis, app), getCurrentRelease(this.opts.redis, app), this.observe(app), getAppRoutes(this.opts.redis, app), listDomains(this.opts.redis, app),
    ]);
    if (!record) return null;
    const release = current?.version;
    const slots = new Map<string, ActualDyno>();
    for (const d of running) {
      if (d.type !== 'web' || !d.port || !this.isUp(d) || this.leaving.has(d.containerId)) continue;
      const held = slots.get(d.name);
      const rank = (x: ActualDyno) => (x.release === release ? 1 : 0);
      if (!held || rank(d) > rank(held) || (rank(d) === rank(held) && d.createdAt > held.createdAt)) slots.set(d.name, d);
    }
    const routes: AppRoutes = {
      app,
      // The app's domains are the record of truth; reading the old routes record here could lose a domain added meanwhile.
      hostnames: domains.map((d) => d.hostname),
      maintenance: record.maintenance ?? false,
      targets: [...slots.values()].map((d) => ({ dyno: d.name, port: d.port!, release: d.release })).sort((a, b) => a.dyno.localeCompare(b.dyno)),
    };
    if (JSON.stringify(routes) !== JSON.stringify(previous)) await putAppRoutes(this.opts.redis, routes);
    return routes;
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

const UP_POLL_MS = 20;

/** Runs `fn` once whatever `chains` holds for `key` has settled; the key is dropped when nothing more is queued. */
function queue<T>(chains: Map<string, Promise<unknown>>, key: string, fn: () => Promise<T>): Promise<T> {
  const next = (chains.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
  chains.set(key, next);
  void next
    .finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    })
    .catch(() => undefined);
  return next;
}

function describePlan(p: Plan): string {
  const parts = [
    ...p.start.map((s) => `+${s.name}@v${s.release}`),
    ...p.retire.map((r) => `~${r.name} (${r.reason})`),
    ...p.remove.map((r) => `-${r.name} (${r.reason})`),
  ];
  return parts.join(' ');
}
