import { logTimeFromDocker, logTimeNow, ONE_OFF_TYPE, SlipwayError, type AppName, type LogLine, type OneOffRequest } from '@slipway/core';
import {
  attachOneOff, createOneOff, followDynoLogs, listOneOffs, removeOneOff, startOneOff, stopOneOff, waitOneOff,
  type DockerClient, type OneOffAttachment, type OneOffContainer,
} from '@slipway/docker';
import { getCurrentRelease, nextOneOffNumber, type DynoStatus, type RedisConnection } from '@slipway/store';

export interface OneOffDynosOptions {
  redis: RedisConnection;
  docker: DockerClient;
  instance: string;
  /** Where detached dynos' output (`app[run.1]`) and every one-off's platform events (`slipway[run.1]`) go. */
  appendLog?: (app: AppName, line: LogLine) => void;
  /** How long an attached dyno waits for its client before it is removed. Default 60 s. */
  attachTimeoutMs?: number;
  /** SIGTERM grace when the time to live runs out or `ps:stop run.N`. Default 10 s. */
  stopGraceSeconds?: number;
  log?: (line: string) => void;
}

/** An attached session: the command's streams and exit code, and `kill` for a client that went away. */
export interface OneOffSession extends OneOffAttachment {
  /** Kills and removes the container now. */
  kill(): void;
}

/**
 * One-off dynos (`slipway run`, `run:detached`). They run the current
 * release's image with its config vars, as containers labelled `role=run`
 * that the reconcile loop never touches, and are removed once they exit:
 * attached ones when their session ends, detached ones by a watcher here that
 * also ships their output to the app's log. Each is stopped when its time to
 * live runs out. What is running is read from Docker; nothing is kept in
 * memory that a restart would need (`start` adopts or removes what it finds).
 */
export class OneOffDynos {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private readonly claimed = new Set<string>();
  private readonly watched = new Set<string>();
  private readonly log: (line: string) => void;

  constructor(private readonly opts: OneOffDynosOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Attached dynos left by an earlier daemon lost their client with it, so
   * they are removed; detached ones still running are watched again (their
   * output from now on) and the rest are removed.
   */
  async start(): Promise<void> {
    for (const c of await listOneOffs(this.opts.docker, this.opts.instance)) {
      if (!c.attach && c.state === 'running') {
        this.expire(c);
        this.watchDetached(c, new Date().toISOString());
      } else {
        await removeOneOff(this.opts.docker, this.opts.instance, c.containerId).catch((err) => this.log(`run: could not remove ${c.app} ${c.name}: ${String(err)}`));
      }
    }
  }

  /** Forgets its timers; detached dynos keep running and are adopted by the next `start`. */
  stop(): void {
    for (const list of this.timers.values()) list.forEach(clearTimeout);
    this.timers.clear();
  }

  /** Creates `run.N` from the current release: started now when detached, on attach otherwise. */
  async run(app: AppName, req: OneOffRequest): Promise<DynoStatus> {
    const release = await getCurrentRelease(this.opts.redis, app);
    if (!release?.image) throw new SlipwayError('unprocessable_entity', `${app} has no release yet: deploy it with git push before running a one-off dyno.`);
    const name = `${ONE_OFF_TYPE}.${await nextOneOffNumber(this.opts.redis, app)}`;
    const expiresAt = Date.now() + req.timeToLiveSeconds * 1000;
    const containerId = await createOneOff(this.opts.docker, this.opts.instance, {
      app, name, release: release.version, image: release.image, command: req.command,
      launcher: release.launcher ?? 'slug', size: req.size, env: { ...release.configVars, ...req.env },
      attach: req.attach, expiresAt,
    });
    const c: OneOffContainer = {
      containerId, app, name, release: release.version, size: req.size, command: req.command,
      attach: req.attach, expiresAt, state: 'created', createdAt: new Date().toISOString(),
    };
    if (req.attach) {
      this.addTimer(containerId, setTimeout(() => {
        if (this.claimed.has(containerId)) return;
        this.log(`run: ${app} ${name} was never attached; removing it`);
        void this.remove(c);
      }, this.opts.attachTimeoutMs ?? 60_000));
    } else {
      this.event(app, name, `Starting process with command \`${req.command}\``);
      try {
        await startOneOff(this.opts.docker, containerId);
      } catch (err) {
        await this.remove(c);
        throw new SlipwayError('unprocessable_entity', `${name} could not start: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.event(app, name, 'State changed from starting to up');
      this.watchDetached(c, null);
    }
    this.expire(c);
    return toStatus(c, 'starting');
  }

  /** Attaches to a dyno created with `attach: true` and starts it. At most one client per dyno. */
  async attach(app: AppName, name: string): Promise<OneOffSession> {
    const c = (await listOneOffs(this.opts.docker, this.opts.instance, app)).find((d) => d.name === name);
    if (!c) throw new SlipwayError('not_found', `Couldn't find that one-off dyno: ${name}.`, 'dyno');
    if (!c.attach) throw new SlipwayError('conflict', `${name} runs detached; read its output with slipway logs --dyno ${name}.`, 'dyno');
    if (c.state !== 'created' || this.claimed.has(c.containerId)) throw new SlipwayError('conflict', `${name} is already attached.`, 'dyno');
    this.claimed.add(c.containerId);
    this.event(app, name, `Starting process with command \`${c.command}\``);
    let attachment: OneOffAttachment;
    try {
      attachment = await attachOneOff(this.opts.docker, c.containerId);
    } catch (err) {
      await this.remove(c);
      throw err;
    }
    this.event(app, name, 'State changed from starting to up');
    void attachment.exited
      .then((code) => this.exitEvents(app, name, code), (err) => this.log(`run: ${app} ${name}: ${String(err)}`))
      .finally(() => this.remove(c));
    return { ...attachment, kill: () => void this.remove(c) };
  }

  /** One-off dynos that are waiting for their client (`starting`) or running (`up`). */
  async list(app: AppName): Promise<DynoStatus[]> {
    const all = await listOneOffs(this.opts.docker, this.opts.instance, app);
    return all.flatMap((c) => (c.state === 'created' ? [toStatus(c, 'starting')] : c.state === 'running' ? [toStatus(c, 'up')] : []));
  }

  /** `ps:stop run.3`: SIGTERM, then SIGKILL after the grace period. False if there is no such dyno. */
  async stopDyno(app: AppName, name: string): Promise<boolean> {
    const c = (await listOneOffs(this.opts.docker, this.opts.instance, app)).find((d) => d.name === name);
    if (!c) return false;
    this.event(app, name, 'Stopping process with SIGTERM');
    if (c.state === 'created') await this.remove(c);
    else await stopOneOff(this.opts.docker, c.containerId, this.opts.stopGraceSeconds ?? 10);
    return true;
  }

  /** Removes every one-off dyno of an app (it is being destroyed). */
  async removeApp(app: AppName): Promise<void> {
    for (const c of await listOneOffs(this.opts.docker, this.opts.instance, app)) await this.remove(c);
  }

  /** Ships a detached dyno's output until it exits, reports the exit, and removes the container. */
  private watchDetached(c: OneOffContainer, since: string | null): void {
    if (this.watched.has(c.containerId)) return;
    this.watched.add(c.containerId);
    const append = this.opts.appendLog;
    void (async () => {
      const follower = await followDynoLogs(this.opts.docker, c.containerId, since, (line) => {
        let time: string;
        try {
          time = logTimeFromDocker(line.timestamp);
        } catch {
          time = logTimeNow();
        }
        append?.(c.app, { time, source: 'app', dyno: c.name, text: line.text });
      });
      await follower.ended;
      this.exitEvents(c.app, c.name, await waitOneOff(this.opts.docker, c.containerId));
    })()
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 404) this.log(`run: ${c.app} ${c.name}: ${String(err)}`);
      })
      .finally(() => {
        this.watched.delete(c.containerId);
        void this.remove(c);
      });
  }

  private expire(c: OneOffContainer): void {
    if (c.expiresAt === null) return;
    this.addTimer(c.containerId, setTimeout(() => {
      this.event(c.app, c.name, 'Stopping process with SIGTERM: its time to live ran out');
      void stopOneOff(this.opts.docker, c.containerId, this.opts.stopGraceSeconds ?? 10).catch((err) => this.log(`run: ${c.app} ${c.name}: ${String(err)}`));
    }, Math.max(0, c.expiresAt - Date.now())));
  }

  private addTimer(id: string, timer: NodeJS.Timeout): void {
    timer.unref();
    this.timers.set(id, [...(this.timers.get(id) ?? []), timer]);
  }

  private async remove(c: OneOffContainer): Promise<void> {
    for (const t of this.timers.get(c.containerId) ?? []) clearTimeout(t);
    this.timers.delete(c.containerId);
    this.claimed.delete(c.containerId);
    await removeOneOff(this.opts.docker, this.opts.instance, c.containerId).catch((err) => this.log(`run: could not remove ${c.app} ${c.name}: ${String(err)}`));
  }

  private exitEvents(app: AppName, name: string, code: number): void {
    this.event(app, name, `Process exited with status ${code}`);
    this.event(app, name, 'State changed from up to complete');
  }

  private event(app: AppName, dyno: string, text: string): void {
    this.opts.appendLog?.(app, { time: logTimeNow(), source: 'slipway', dyno, text });
  }
}

function toStatus(c: OneOffContainer, state: DynoStatus['state']): DynoStatus {
  return {
    name: c.name, type: ONE_OFF_TYPE, state, release: c.release, port: null, containerId: c.containerId,
    command: c.command, size: c.size, createdAt: c.createdAt, updatedAt: c.createdAt,
  };
}
