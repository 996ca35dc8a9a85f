import type { AppRecord, ReleaseRecord, DynoState } from './records.js';
import type { FormationEntry } from './formation.js';

/** JSON shapes of the Heroku Platform API v3 that Slipway serves and its client reads. */
export interface HerokuApp {
  id: string;
  name: string;
  git_url: string;
  web_url: string;
  created_at: string;
  updated_at: string;
  released_at: string | null;
  maintenance: boolean;
  stack: { id: string; name: string };
  build_stack: { id: string; name: string };
  region: { id: string; name: string };
  owner: { id: string; email: string };
  organization: null;
  team: null;
  space: null;
  buildpack_provided_description: string | null;
  repo_size: number | null;
  slug_size: number | null;
  archived_at: string | null;
  acm: boolean;
}

export interface HerokuRelease {
  id: string;
  version: number;
  description: string;
  status: ReleaseRecord['status'];
  current: boolean;
  created_at: string;
  updated_at: string;
  slug: { id: string } | null;
  user: { id: string; email: string };
  app: { id: string; name: string };
  output_stream_url: string | null;
  addon_plan_names: string[];
}

export interface HerokuFormation {
  id: string;
  type: string;
  quantity: number;
  size: string;
  command: string;
  app: { id: string; name: string };
  created_at: string;
  updated_at: string;
}

export interface HerokuDyno {
  id: string;
  name: string;
  type: string;
  state: DynoState | 'idle';
  command: string;
  size: string;
  release: { id: string; version: number };
  app: { id: string; name: string };
  attach_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface HerokuAccount {
  id: string;
  email: string;
  name: string;
}

export const STACK = { id: '00000000-0000-4000-8000-000000000001', name: 'bookworm' } as const;
export const REGION = { id: '00000000-0000-4000-8000-000000000002', name: 'local' } as const;
export const OWNER = { id: '00000000-0000-4000-8000-000000000003', email: 'admin@slipway.local', name: 'admin' } as const;

export interface Urls {
  gitUrl(app: string): string;
  webUrl(app: string): string;
}

export function toHerokuApp(app: AppRecord, urls: Urls): HerokuApp {
  return {
    id: app.id,
    name: app.name,
    git_url: urls.gitUrl(app.name),
    web_url: urls.webUrl(app.name),
    created_at: app.createdAt,
    updated_at: app.updatedAt,
    released_at: app.releasedAt,
    maintenance: app.maintenance,
    stack: { ...STACK },
    build_stack: { ...STACK },
    region: { ...REGION },
    owner: { id: OWNER.id, email: OWNER.email },
    organization: null,
    team: null,
    space: null,
    buildpack_provided_description: null,
    repo_size: null,
    slug_size: null,
    archived_at: null,
    acm: false,
  };
}

export function toHerokuRelease(release: ReleaseRecord, app: AppRecord, currentVersion: number | null): HerokuRelease {
  return {
    id: release.id,
    version: release.version,
    description: release.description,
    status: release.status,
    current: release.version === currentVersion,
    created_at: release.createdAt,
    updated_at: release.createdAt,
    slug: release.image ? { id: release.id } : null,
    user: { id: OWNER.id, email: release.user },
    app: { id: app.id, name: app.name },
    output_stream_url: null,
    addon_plan_names: [],
  };
}

export function toHerokuFormation(entry: FormationEntry, command: string, app: AppRecord, id: string): HerokuFormation {
  return {
    id,
    type: entry.type,
    quantity: entry.quantity,
    size: entry.size,
    command,
    app: { id: app.id, name: app.name },
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  };
}

export interface HerokuBuild {
  id: string;
  app: { id: string; name: string };
  buildpacks: { url: string; name: string }[] | null;
  created_at: string;
  updated_at: string;
  output_stream_url: string;
  source_blob: { checksum: string | null; url: string | null; version: string | null; version_description: string | null };
  release: { id: string; version: number } | null;
  slug: { id: string } | null;
  stack: string;
  status: 'pending' | 'succeeded' | 'failed';
  user: { id: string; email: string };
}

export function toHerokuBuild(build: import('./records.js').BuildRecord, app: AppRecord, outputStreamUrl: string): HerokuBuild {
  return {
    id: build.id,
    app: { id: app.id, name: app.name },
    buildpacks: null,
    created_at: build.createdAt,
    updated_at: build.updatedAt,
    output_stream_url: outputStreamUrl,
    source_blob: { checksum: build.sourceBlob.checksum, url: build.sourceBlob.url, version: build.sourceBlob.version, version_description: null },
    release: build.releaseId && build.releaseVersion !== null ? { id: build.releaseId, version: build.releaseVersion } : null,
    slug: build.releaseId ? { id: build.releaseId } : null,
    stack: STACK.name,
    status: build.status,
    user: { id: OWNER.id, email: build.user },
  };
}
