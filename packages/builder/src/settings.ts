import { fileURLToPath } from 'node:url';

export interface BuilderSettings {
  /** Labels every container and image, so two Slipways on one dockerd never touch each other's. */
  instance: string;
  stackImage: string;
  /** Host directory with the built-in buildpacks, mounted read-only into builds. */
  buildpacksDir: string;
  /** Per-app build caches live under here. */
  cacheDir: string;
  /** Scratch space for sources and build results. */
  tmpDir: string;
  /** CA bundle mounted into builds, so HTTPS works behind a TLS-inspecting gateway. */
  caBundle: string | null;
  memoryMb: number;
  timeoutMs: number;
  /** Largest slug (what the build adds to the stack) accepted, in bytes. */
  maxSlugBytes: number;
  /** Release images kept for rollback; older ones are removed. */
  keepReleases: number;
  webUrl(app: string): string;
}

/** The in-container driver and launcher that ship with this package. */
export const DRIVER_DIR = fileURLToPath(new URL('../container', import.meta.url));
