import { SlipwayError, type HerokuRelease } from '@slipway/core';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `v3` or `3` is a version number; a UUID is a release id; anything else is refused. */
export function parseReleaseRef(input: string): number | string {
  const version = /^v?(\d{1,9})$/i.exec(input);
  if (version) return Number(version[1]);
  if (UUID.test(input)) return input.toLowerCase();
  throw new SlipwayError('invalid_params', `Invalid release ${JSON.stringify(input)}; use a version such as v3, or a release id.`);
}

export function matchesRef(release: HerokuRelease, ref: number | string): boolean {
  return typeof ref === 'number' ? release.version === ref : release.id.toLowerCase() === ref;
}

/** The current release, or the newest one when the API marks none as current. */
export function currentRelease(releases: readonly HerokuRelease[]): HerokuRelease | undefined {
  return releases.find((r) => r.current) ?? [...releases].sort((a, b) => b.version - a.version)[0];
}

/** ` (failed)` / ` (pending)` after a description, nothing for a release that succeeded. */
export function statusSuffix(release: HerokuRelease): string {
  return release.status === 'succeeded' ? '' : ` (${release.status})`;
}
