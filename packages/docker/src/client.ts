import Docker from 'dockerode';

export type DockerClient = Docker;

/** `host` is DOCKER_HOST as given to the server; unset means the default socket. */
export function connectDocker(host?: string): Docker {
  if (!host) return new Docker();
  const url = new URL(host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http' });
}

export async function pingDocker(docker: Docker): Promise<void> {
  await docker.ping();
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: number }).statusCode === 404;
}

export function isConflict(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { statusCode?: number }).statusCode : undefined;
  return code === 409 || code === 304;
}
