import { isAppName, type AppName, type AppRoutes, type RouteTarget } from '@slipway/core';

/**
 * The router's view of every app: an immutable value, built in one go from a
 * list of `AppRoutes` and swapped in with a single assignment. Nothing here does
 * I/O; `sync.ts` decides when a new table is built.
 */
export class RouteTable {
  /** The platform domain, lowercased: `<app>.<domain>` routes to `<app>`. */
  readonly domain: string;
  /** Every app in the table, sorted by name. */
  readonly apps: readonly AppRoutes[];
  /** Hostnames two apps both claimed; the first app by name keeps each one. */
  readonly conflicts: readonly string[];
  private readonly byApp: ReadonlyMap<string, AppRoutes>;
  private readonly byHost: ReadonlyMap<string, AppRoutes>;

  private constructor(domain: string, apps: readonly AppRoutes[], byHost: Map<string, AppRoutes>, conflicts: string[]) {
    this.domain = domain;
    this.apps = Object.freeze(apps);
    this.byApp = new Map(apps.map((a) => [a.app, a]));
    this.byHost = byHost;
    this.conflicts = Object.freeze(conflicts);
    Object.freeze(this);
  }

  static empty(domain: string): RouteTable {
    return RouteTable.build(domain, []);
  }

  /**
   * Builds a table in a fixed order, so the same input always gives the same
   * table: apps sorted by name, every `<app>.<domain>` first (they cannot clash,
   * and a custom hostname never shadows one), then custom hostnames app by app.
   */
  static build(domain: string, routes: readonly AppRoutes[]): RouteTable {
    const base = normalizeDomain(domain);
    const apps = [...routes].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0)).map(freezeRoutes);
    const byHost = new Map<string, AppRoutes>();
    const conflicts: string[] = [];
    for (const app of apps) byHost.set(`${app.app}.${base}`, app);
    for (const app of apps) {
      for (const hostname of app.hostnames) {
        const owner = byHost.get(hostname);
        if (owner === app) continue;
        if (owner) {
          conflicts.push(`${hostname} claimed by ${owner.app} and ${app.app}; ${owner.app} keeps it`);
          continue;
        }
        byHost.set(hostname, app);
      }
    }
    return new RouteTable(base, apps, byHost, conflicts);
  }

  get size(): number {
    return this.apps.length;
  }

  /** The app a `Host` header belongs to: port stripped, case-insensitive, exact names before wildcards. */
  lookup(host: string | undefined): AppRoutes | undefined {
    const name = normalizeHost(host);
    if (name === undefined) return undefined;
    const exact = this.byHost.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? this.byHost.get(`*${name.slice(dot)}`) : undefined;
  }

  /** The app that owns exactly this hostname (an app's own name or a custom domain; no wildcards). */
  exact(host: string | undefined): AppRoutes | undefined {
    const name = normalizeHost(host);
    return name === undefined ? undefined : this.byHost.get(name);
  }

  app(name: string): AppRoutes | undefined {
    return this.byApp.get(name);
  }

  /** A new table with `routes` replacing (or adding) its app. */
  withApp(routes: AppRoutes): RouteTable {
    return RouteTable.build(this.domain, [...this.apps.filter((a) => a.app !== routes.app), routes]);
  }

  /** A new table without `app`; the same table when it was not there. */
  withoutApp(app: string): RouteTable {
    return this.byApp.has(app) ? RouteTable.build(this.domain, this.apps.filter((a) => a.app !== app)) : this;
  }
}

export function buildRouteTable(domain: string, routes: readonly AppRoutes[]): RouteTable {
  return RouteTable.build(domain, routes);
}

/**
 * `Demo.Example.COM:8080` → `demo.example.com`; `[::1]:80` → `[::1]`; a trailing
 * dot is dropped. Undefined for a missing or empty Host.
 */
export function normalizeHost(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    name = end > 0 ? name.slice(0, end + 1) : name;
  } else {
    const colon = name.indexOf(':');
    if (colon >= 0) name = name.slice(0, colon);
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name === '' ? undefined : name;
}

function normalizeDomain(domain: string): string {
  const name = normalizeHost(domain.replace(/^\.+/, ''));
  if (name === undefined) throw new Error(`router domain ${JSON.stringify(domain)} is empty`);
  return name;
}

/**
 * Checks one app's routes as they came out of Redis and returns a clean,
 * frozen copy, or the list of problems. The router only ever builds tables
 * from values that passed this.
 */
export function parseAppRoutes(value: unknown): { ok: true; routes: AppRoutes } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return { ok: false, problems: ['routes are not an object'] };
  const raw = value as Record<string, unknown>;
  if (!isAppName(raw.app)) problems.push(`app ${JSON.stringify(raw.app)} is not a valid app name`);
  if (typeof raw.maintenance !== 'boolean') problems.push('maintenance is not a boolean');

  const hostnames: string[] = [];
  if (!Array.isArray(raw.hostnames)) problems.push('hostnames is not an array');
  else {
    for (const h of raw.hostnames as unknown[]) {
      const name = typeof h === 'string' ? normalizeHost(h) : undefined;
      if (name === undefined || !HOSTNAME_PATTERN.test(name)) problems.push(`hostname ${JSON.stringify(h)} is not a hostname`);
      else if (!hostnames.includes(name)) hostnames.push(name);
    }
  }

  const targets: RouteTarget[] = [];
  if (!Array.isArray(raw.targets)) problems.push('targets is not an array');
  else {
    for (const t of raw.targets as unknown[]) {
      const target = t as Partial<RouteTarget> | null;
      if (
        typeof target !== 'object' || target === null ||
        typeof target.dyno !== 'string' || target.dyno === '' ||
        !Number.isInteger(target.port) || (target.port as number) < 1 || (target.port as number) > 65535 ||
        typeof target.release !== 'number'
      ) {
        problems.push(`target ${JSON.stringify(t)} needs a dyno, a port from 1 to 65535 and a release`);
        continue;
      }
      targets.push({ dyno: target.dyno, port: target.port as number, release: target.release });
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    routes: freezeRoutes({ app: raw.app as AppName, hostnames, maintenance: raw.maintenance as boolean, targets }),
  };
}

/** Lowercase labels of letters, digits and dashes; a leading `*.` for a wildcard. */
const HOSTNAME_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function freezeRoutes(routes: AppRoutes): AppRoutes {
  if (Object.isFrozen(routes)) return routes;
  return Object.freeze({
    app: routes.app,
    hostnames: Object.freeze(routes.hostnames.map((h) => normalizeHost(h) ?? h)) as string[],
    maintenance: routes.maintenance,
    targets: Object.freeze(routes.targets.map((t) => Object.freeze({ ...t }))) as RouteTarget[],
  });
}
