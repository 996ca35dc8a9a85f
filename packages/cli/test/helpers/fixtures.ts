import type { HerokuApp, HerokuDyno, HerokuFormation, HerokuRelease } from '@slipway/core';

const APP_ID = '11111111-1111-4111-8111-111111111111';

export function appFixture(name: string, over: Partial<HerokuApp> = {}): HerokuApp {
  return {
    id: APP_ID,
    name,
    git_url: `http://127.0.0.1:5000/${name}.git`,
    web_url: `http://${name}.localhost:8080/`,
    created_at: '2026-01-02T03:00:00Z',
    updated_at: '2026-01-02T03:00:00Z',
    released_at: null,
    maintenance: false,
    stack: { id: 's', name: 'bookworm' },
    build_stack: { id: 's', name: 'bookworm' },
    region: { id: 'r', name: 'local' },
    owner: { id: 'o', email: 'admin@slipway.local' },
    organization: null,
    team: null,
    space: null,
    buildpack_provided_description: null,
    repo_size: null,
    slug_size: null,
    archived_at: null,
    acm: false,
    ...over,
  };
}

export function formationFixture(type: string, quantity: number, size = 'standard-1x'): HerokuFormation {
  return {
    id: `f-${type}`,
    type,
    quantity,
    size,
    command: type === 'web' ? 'node server.js' : 'node worker.js',
    app: { id: APP_ID, name: 'demo' },
    created_at: '2026-01-02T03:00:00Z',
    updated_at: '2026-01-02T03:00:00Z',
  };
}

export function dynoFixture(name: string, over: Partial<HerokuDyno> = {}): HerokuDyno {
  const type = name.split('.')[0] ?? name;
  return {
    id: `d-${name}`,
    name,
    type,
    state: 'up',
    command: type === 'web' ? 'node server.js' : 'node worker.js',
    size: 'standard-1x',
    release: { id: 'r2', version: 2 },
    app: { id: APP_ID, name: 'demo' },
    attach_url: null,
    created_at: '2026-01-02T03:04:05Z',
    updated_at: '2026-01-02T03:04:05Z',
    ...over,
  };
}

export function releaseFixture(version: number, over: Partial<HerokuRelease> = {}): HerokuRelease {
  return {
    id: `00000000-0000-4000-8000-00000000000${version}`,
    version,
    description: version === 1 ? 'Initial release' : `Deploy ${'3f2a1c9'.slice(0, 7)}`,
    status: 'succeeded',
    current: false,
    created_at: '2026-01-02T03:04:05Z',
    updated_at: '2026-01-02T03:04:05Z',
    slug: null,
    user: { id: 'o', email: 'admin@slipway.local' },
    app: { id: APP_ID, name: 'demo' },
    output_stream_url: null,
    addon_plan_names: [],
    ...over,
  };
}
