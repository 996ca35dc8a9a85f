import type { AppName } from './app-name.js';
import type { ConfigVars } from './config-vars.js';
import type { DynoSize } from './formation.js';
import type { ProcessType, ProcessTypes } from './procfile.js';

/** What the store keeps per app. Timestamps are ISO 8601 strings. */
export interface AppRecord {
  id: string;
  name: AppName;
  createdAt: string;
  updatedAt: string;
  releasedAt: string | null;
  maintenance: boolean;
}

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed';

/** Immutable once recorded: the image, the config it runs with and its process types. */
export interface ReleaseRecord {
  id: string;
  app: AppName;
  version: number;
  image: string | null;
  processTypes: ProcessTypes;
  configVars: ConfigVars;
  description: string;
  status: ReleaseStatus;
  createdAt: string;
  user: string;
  commit: string | null;
  /**
   * How dynos start. `slug` (buildpacks): the launcher runs the command.
   * `image` (Dockerfile): the image runs as built; a command other than its
   * own CMD runs with `/bin/sh -c`.
   */
  launcher?: 'slug' | 'image';
  /** The image's own command as shown to people, for `image` releases. */
  imageCommand?: string | null;
  /** A port the image EXPOSEs: its web dyno listens there, whatever $PORT says. */
  exposedPort?: number | null;
}

export type DynoState = 'starting' | 'up' | 'crashed' | 'down' | 'stopping';

/** A dyno as Docker reports it, identified only by the container's labels. */
export interface ActualDyno {
  containerId: string;
  app: AppName;
  name: string; // web.1
  type: ProcessType;
  release: number;
  port: number | null;
  size: DynoSize;
  command: string;
  running: boolean;
  exitCode: number | null;
  createdAt: string;
}

/** Where one up web dyno listens. */
export interface RouteTarget {
  dyno: string;
  port: number;
  release: number;
}

export interface AppRoutes {
  app: AppName;
  hostnames: string[];
  maintenance: boolean;
  targets: RouteTarget[];
}

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

/** One build, from a push or a source tarball. */
export interface BuildRecord {
  id: string;
  app: AppName;
  status: BuildStatus;
  sourceBlob: { url: string | null; version: string | null; checksum: string | null };
  releaseId: string | null;
  releaseVersion: number | null;
  createdAt: string;
  updatedAt: string;
  user: string;
  /** Lets output_stream_url be fetched without the API key, as Heroku's CLI does. */
  outputToken: string;
}
