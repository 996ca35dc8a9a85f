import type { AppName, AppRecord, BuildRecord, OneOffRequest } from '@slipway/core';
import type { DynoStatus } from '@slipway/store';

/**
 * What the API needs from parts it may not import (git, docker, dynos). The
 * server passes these in, so the API stays a thin layer over the store.
 */
export interface ApiOperations {
  /** After an app's records are gone: remove its repository, images and cache. */
  appDestroyed(app: AppRecord): Promise<void>;
  /** Restart all dynos, one process type, or one dyno (`web.1`). */
  restartDynos(app: AppName, target?: string): Promise<void>;
  stopDyno(app: AppName, name: string): Promise<void>;
  /** Roll a new release out (after config changes and rollbacks). */
  rollOut(app: AppName): Promise<void>;
  /** Runs a release's `release:` command with the given config (the release phase); resolves true when it succeeds. */
  runReleasePhase(app: AppName, release: { image: string; launcher: 'slug' | 'image'; command: string; configVars: Record<string, string> }): Promise<boolean>;
  /** Records a build of a source tarball and runs it in the background. */
  startSourceBuild(app: AppName, source: BuildRecord['sourceBlob']): Promise<BuildRecord>;
  /** Throws a SlipwayError for a buildpack reference the builder cannot use. */
  validateBuildpacks(list: string[]): void;
  /** Creates a one-off dyno `run.N` from the current release (unprocessable_entity when there is none). */
  runDyno(app: AppName, request: OneOffRequest): Promise<DynoStatus>;
  /** Attaches to a one-off dyno created with `attach: true`, and starts it (not_found, or conflict when already attached). */
  attachDyno(app: AppName, name: string): Promise<DynoAttachment>;
  /** One-off dynos waiting for their client or running, listed beside the formation's. */
  listOneOffDynos(app: AppName): Promise<DynoStatus[]>;
}

export interface ApiSettings {
  apiKey: string;
  /** How clients reach the API, for URLs it hands out (output_stream_url). */
  apiUrl: string;
  gitUrl(app: string): string;
  webUrl(app: string): string;
}

/** A one-off dyno's streams while a client is attached. */
export interface DynoAttachment {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** The command's exit code, after all its output. */
  exited: Promise<number>;
  /** The client went away: kill and remove the dyno. */
  kill(): void;
}
