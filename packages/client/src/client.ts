import type { HerokuBuild, HerokuLogSession } from '@slipway/core';
import type { ConfigVars, ConfigVarsPatch, HerokuAccount, HerokuApp, HerokuDyno, HerokuFormation, HerokuRelease } from '@slipway/core';
import { createHttp, type Http, type HttpOptions } from './http.js';
import { getAccount } from './account.js';
import * as apps from './apps.js';
import * as releases from './releases.js';
import * as configVars from './config-vars.js';
import * as formation from './formation.js';
import type { FormationPatch } from './formation.js';
import * as dynos from './dynos.js';
import type { RunDynoOptions } from './dynos.js';
import { attachDyno, type AttachStreams } from './attach.js';
import * as builds from './builds.js';
import * as logs from './logs.js';
import type { LogSessionOptions } from './logs.js';
import type { BuildpackInstallation } from './builds.js';
import * as domains from './domains.js';
import type { HerokuDomain, HerokuSniEndpoint, SniEndpointInput } from './domains.js';

/**
 * A typed client of the Slipway API (Heroku Platform API v3 paths and shapes).
 * One method per endpoint; each is a one-line call into a resource file.
 * Failures throw `SlipwayApiError` (a `SlipwayError`) carrying the server's id.
 */
export class SlipwayClient {
  readonly #http: Http;
  readonly #fetch: typeof fetch;
  readonly #apiKey: string;

  constructor(opts: HttpOptions) {
    this.#http = createHttp(opts);
    this.#fetch = opts.fetch ?? globalThis.fetch;
    this.#apiKey = opts.apiKey;
  }

  get apiUrl(): string {
    return this.#http.apiUrl;
  }

  account(): Promise<HerokuAccount> { return getAccount(this.#http); }

  listApps(): Promise<HerokuApp[]> { return apps.listApps(this.#http); }
  createApp(name?: string): Promise<HerokuApp> { return apps.createApp(this.#http, name); }
  getApp(app: string): Promise<HerokuApp> { return apps.getApp(this.#http, app); }
  destroyApp(app: string): Promise<HerokuApp> { return apps.destroyApp(this.#http, app); }

  listReleases(app: string): Promise<HerokuRelease[]> { return releases.listReleases(this.#http, app); }
  getRelease(app: string, idOrVersion: string | number): Promise<HerokuRelease> { return releases.getRelease(this.#http, app, idOrVersion); }
  rollback(app: string, idOrVersion: string | number): Promise<HerokuRelease> { return releases.rollback(this.#http, app, idOrVersion); }

  getConfigVars(app: string): Promise<ConfigVars> { return configVars.getConfigVars(this.#http, app); }
  updateConfigVars(app: string, patch: ConfigVarsPatch): Promise<ConfigVars> { return configVars.updateConfigVars(this.#http, app, patch); }

  listFormation(app: string): Promise<HerokuFormation[]> { return formation.listFormation(this.#http, app); }
  updateFormation(app: string, updates: readonly FormationPatch[]): Promise<HerokuFormation[]> { return formation.updateFormation(this.#http, app, updates); }

  listDynos(app: string): Promise<HerokuDyno[]> { return dynos.listDynos(this.#http, app); }
  restartDynos(app: string, nameOrType?: string): Promise<void> { return dynos.restartDynos(this.#http, app, nameOrType); }
  stopDyno(app: string, name: string): Promise<void> { return dynos.stopDyno(this.#http, app, name); }
  runDyno(app: string, opts: RunDynoOptions): Promise<HerokuDyno> { return dynos.runDyno(this.#http, app, opts); }
  /** Attaches to a one-off dyno's `attach_url` (on this client's API) and resolves with the command's exit code. */
  attach(attachUrl: string, streams: AttachStreams): Promise<number> { return attachDyno(attachUrl, this.#http.apiUrl, this.#apiKey, streams); }

  listBuilds(app: string): Promise<HerokuBuild[]> { return builds.listBuilds(this.#http, app); }
  getBuild(app: string, id: string): Promise<HerokuBuild> { return builds.getBuild(this.#http, app, id); }
  createBuild(app: string, source: { url: string; version?: string }): Promise<HerokuBuild> { return builds.createBuild(this.#http, app, source); }
  streamBuildOutput(url: string): AsyncGenerator<string> { return builds.streamBuildOutput(url); }
  listBuildpacks(app: string): Promise<BuildpackInstallation[]> { return builds.listBuildpacks(this.#http, app); }
  setBuildpacks(app: string, list: readonly string[]): Promise<BuildpackInstallation[]> { return builds.setBuildpacks(this.#http, app, list); }

  createLogSession(app: string, opts: LogSessionOptions = {}): Promise<HerokuLogSession> { return logs.createLogSession(this.#http, app, opts); }
  /** The lines of a session's `logplex_url`, as they arrive; abort `signal` to stop a tail. */
  streamLogSession(url: string, signal?: AbortSignal): AsyncGenerator<string> { return logs.streamLogSession(url, this.#fetch, signal); }

  listDomains(app: string): Promise<HerokuDomain[]> { return domains.listDomains(this.#http, app); }
  addDomain(app: string, hostname: string): Promise<HerokuDomain> { return domains.addDomain(this.#http, app, hostname); }
  removeDomain(app: string, hostname: string): Promise<HerokuDomain> { return domains.removeDomain(this.#http, app, hostname); }
  listSniEndpoints(app: string): Promise<HerokuSniEndpoint[]> { return domains.listSniEndpoints(this.#http, app); }
  addSniEndpoint(app: string, cert: SniEndpointInput): Promise<HerokuSniEndpoint> { return domains.addSniEndpoint(this.#http, app, cert); }
  removeSniEndpoint(app: string, idOrName: string): Promise<HerokuSniEndpoint> { return domains.removeSniEndpoint(this.#http, app, idOrName); }
  setMaintenance(app: string, on: boolean): Promise<HerokuApp> { return domains.setMaintenance(this.#http, app, on); }
}
