/** Every Redis key Slipway uses is built here, and only here. */
const P = 'slipway';

export const keys = {
  apps: () => `${P}:apps`, // hash name -> AppRecord JSON
  appIds: () => `${P}:app-ids`, // hash id -> name
  releases: (app: string) => `${P}:apps:${app}:releases`, // hash version -> ReleaseRecord JSON
  releaseSeq: (app: string) => `${P}:apps:${app}:release-seq`,
  currentRelease: (app: string) => `${P}:apps:${app}:current-release`,
  formation: (app: string) => `${P}:apps:${app}:formation`,
  config: (app: string) => `${P}:apps:${app}:config`,
  dynos: (app: string) => `${P}:apps:${app}:dynos`, // hash dyno name -> DynoStatus JSON
  runSeq: (app: string) => `${P}:apps:${app}:run-seq`, // counter: the N of the next one-off dyno run.N
  lock: (app: string) => `${P}:locks:${app}`,
  ports: () => `${P}:ports`, // hash port -> owner
  routes: () => `${P}:routes`, // hash app -> AppRoutes JSON
  routeEvents: () => `${P}:route-events`, // stream
  desiredEvents: () => `${P}:desired-events`, // stream: formation/release changed
  hostnames: () => `${P}:hostnames`, // hash hostname -> app
  logs: (app: string) => `${P}:apps:${app}:logs`, // capped stream of log lines
  logCursors: (instance: string) => `${P}:log-cursors:${instance}`, // hash container id -> last shipped Docker timestamp, or `done`
  logSession: (id: string) => `${P}:log-sessions:${id}`, // log session JSON, with a TTL
  buildpacks: (app: string) => `${P}:apps:${app}:buildpacks`, // JSON array of buildpack refs
  restarts: (app: string) => `${P}:apps:${app}:restarts`, // hash target (* | type | dyno) -> ISO time
  domains: (app: string) => `${P}:apps:${app}:domains`, // hash hostname -> DomainRecord JSON
  sniEndpoints: () => `${P}:sni-endpoints`, // hash id -> SniEndpointRecord JSON (few; the router reads them all)
  builds: (app: string) => `${P}:apps:${app}:builds`, // hash build id -> BuildRecord JSON
  buildOutput: (id: string) => `${P}:builds:${id}:output`, // stream of output chunks, ends with an `end` entry
};

/** Every per-app key, for destroying an app in one transaction. */
export function appKeys(app: string): string[] {
  return [keys.releases(app), keys.releaseSeq(app), keys.currentRelease(app), keys.formation(app), keys.config(app), keys.dynos(app), keys.runSeq(app), keys.builds(app), keys.buildpacks(app), keys.logs(app), keys.restarts(app)];
}
