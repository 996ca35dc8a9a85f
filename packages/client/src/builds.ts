import { SlipwayError, type HerokuBuild } from '@slipway/core';
import { seg, type Http } from './http.js';

export interface BuildpackInstallation {
  ordinal: number;
  buildpack: { url: string; name: string };
}

export function listBuilds(http: Http, app: string): Promise<HerokuBuild[]> {
  return http.list(`/apps/${seg(app)}/builds`);
}

export function getBuild(http: Http, app: string, id: string): Promise<HerokuBuild> {
  return http.request('GET', `/apps/${seg(app)}/builds/${seg(id)}`);
}

/** A tarball deploy: Slipway fetches `url` (a .tar.gz) and builds it. */
export function createBuild(http: Http, app: string, source: { url: string; version?: string }): Promise<HerokuBuild> {
  return http.request('POST', `/apps/${seg(app)}/builds`, { source_blob: source });
}

/** Streams a build's output_stream_url as text chunks until the build ends. */
export async function* streamBuildOutput(url: string, doFetch: typeof fetch = globalThis.fetch): AsyncGenerator<string> {
  const res = await doFetch(url);
  if (!res.ok || !res.body) throw new SlipwayError('not_found', `Build output is not available (HTTP ${res.status}).`);
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) yield decoder.decode(chunk, { stream: true });
}

export function listBuildpacks(http: Http, app: string): Promise<BuildpackInstallation[]> {
  return http.request('GET', `/apps/${seg(app)}/buildpack-installations`);
}

export function setBuildpacks(http: Http, app: string, buildpacks: readonly string[]): Promise<BuildpackInstallation[]> {
  return http.request('PUT', `/apps/${seg(app)}/buildpack-installations`, { updates: buildpacks.map((buildpack) => ({ buildpack })) });
}
