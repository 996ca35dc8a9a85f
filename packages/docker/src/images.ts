import type Docker from 'dockerode';
import { isNotFound } from './client.js';

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function removeImage(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getImage(name).remove({ force: true });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export async function imageSize(docker: Docker, name: string): Promise<number> {
  const info = await docker.getImage(name).inspect();
  return info.Size;
}
