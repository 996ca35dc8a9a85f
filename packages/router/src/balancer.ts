import type { RouteTarget } from '@slipway/core';

/** A target handed out for one request; `release()` once it is over (calling it twice is harmless). */
export interface Lease {
  readonly target: RouteTarget;
  readonly key: string;
  release(): void;
}

/** Identifies one upstream within an app: the dyno and the port it listens on. */
export function targetKey(app: string, target: RouteTarget): string {
  return `${app}/${target.dyno}:${target.port}`;
}

/** Open requests per dyno before the router answers H11 instead of queueing more on it. */
export const DEFAULT_MAX_IN_FLIGHT = 200;

/** How long a target that refused a connection is tried only when nothing else is left. */
export const FAILURE_COOLDOWN_MS = 2000;

/**
 * Least in-flight requests, ties broken round-robin. No I/O, and the clock is
 * a parameter: the only state is a count of open leases per target, a cursor
 * per app and when recently failed targets may be preferred again, so it is
 * tested by calling `pick`, `release` and `reportFailure` directly.
 *
 * Round-robin on ties matters: with sequential requests every target is at
 * zero in-flight, and without it the first dyno would get all the traffic.
 * Counts are keyed by target, not by position, so a target that disappears
 * from the route table simply stops being picked, and its open leases still
 * release cleanly. A target that just refused a connection goes to the back
 * of the line for a moment, so a crashed dyno that is still listed does not
 * cost every other request a failed connect.
 */
export class Balancer {
  private readonly inFlight = new Map<string, number>();
  /** True when the last `pick` found targets but every one was at `maxInFlight` (Heroku's H11, backlog too deep). */
  lastPickFull = false;

  /** `maxInFlight`: requests one dyno may have open at once; past that it is not picked. */
  constructor(private readonly maxInFlight: number = DEFAULT_MAX_IN_FLIGHT) {}

  private readonly cursors = new Map<string, number>();
  private readonly downUntil = new Map<string, number>();

  /** Picks a target of `app`, skipping keys in `exclude` (targets that already failed this request). */
  pick(app: string, targets: readonly RouteTarget[], exclude: ReadonlySet<string> = NONE, now?: number): Lease | undefined {
    const n = targets.length;
    if (n === 0) return undefined;
    const start = (this.cursors.get(app) ?? 0) % n;
    this.lastPickFull = false;
    let full = 0;
    // The best so far, in locals: this runs once per request, so no object per candidate.
    let bestTarget: RouteTarget | undefined;
    let bestKey = '';
    let bestDown = false;
    let bestLoad = 0;
    let bestOffset = 0;
    for (let offset = 0; offset < n; offset++) {
      const target = targets[(start + offset) % n] as RouteTarget;
      const key = targetKey(app, target);
      if (exclude.size > 0 && exclude.has(key)) continue;
      const down = this.downUntil.size > 0 && this.isDown(key, (now ??= Date.now()));
      const load = this.inFlight.get(key) ?? 0;
      if (load >= this.maxInFlight) {
        full++;
        continue;
      }
      if (bestTarget === undefined || (!down && bestDown) || (down === bestDown && load < bestLoad)) {
        bestTarget = target;
        bestKey = key;
        bestDown = down;
        bestLoad = load;
        bestOffset = offset;
      }
    }
    if (bestTarget === undefined) {
      this.lastPickFull = full > 0;
      return undefined;
    }
    this.cursors.set(app, (start + bestOffset + 1) % n);
    return this.lease(bestTarget, bestKey);
  }

  /** The target refused a connection: prefer the others until `now + cooldownMs`. */
  reportFailure(key: string, now: number = Date.now(), cooldownMs: number = FAILURE_COOLDOWN_MS): void {
    this.downUntil.set(key, now + cooldownMs);
  }

  /** Open leases on one target; for tests and diagnostics. */
  load(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  /** Drops what is kept about apps that are gone, so the maps do not grow forever. */
  forgetApps(keep: ReadonlySet<string>): void {
    for (const app of this.cursors.keys()) if (!keep.has(app)) this.cursors.delete(app);
    for (const key of this.downUntil.keys()) if (!keep.has(key.slice(0, key.indexOf('/')))) this.downUntil.delete(key);
  }

  private isDown(key: string, now: number): boolean {
    const until = this.downUntil.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.downUntil.delete(key);
    return false;
  }

  private lease(target: RouteTarget, key: string): Lease {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    return new TargetLease(target, key, this.inFlight);
  }
}

/** One open lease: a class rather than a closure per request. */
class TargetLease implements Lease {
  private released = false;

  constructor(
    readonly target: RouteTarget,
    readonly key: string,
    private readonly inFlight: Map<string, number>,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    const left = (this.inFlight.get(this.key) ?? 1) - 1;
    if (left > 0) this.inFlight.set(this.key, left);
    else this.inFlight.delete(this.key);
  }
}

const NONE: ReadonlySet<string> = new Set();
