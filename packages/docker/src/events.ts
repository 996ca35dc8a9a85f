import type Docker from 'dockerode';
import { LABELS } from '@slipway/core';

export interface DockerEventsWatch {
  close(): void;
}

/** What happened to one dyno container. */
export interface DynoEvent {
  app: string;
  containerId: string;
  action: string;
}

/**
 * Calls `onChange` whenever one of this instance's dyno containers dies,
 * stops or is removed, so the dyno manager reacts at once instead of at its
 * next resync. Reconnects with a back-off when dockerd goes away (a missed
 * event costs one resync tick, never correctness).
 */
export function watchDynoEvents(docker: Docker, instance: string, onChange: (event: DynoEvent) => void, onError: (err: unknown) => void = () => undefined): DockerEventsWatch {
  let closed = false;
  let current: NodeJS.ReadableStream | null = null;
  let backoff = 500;

  const connect = async (): Promise<void> => {
    if (closed) return;
    try {
      const stream = (await docker.getEvents({
        filters: { type: ['container'], event: ['die', 'stop', 'destroy', 'oom'], label: [`${LABELS.instance}=${instance}`, `${LABELS.role}=dyno`] },
      })) as NodeJS.ReadableStream;
      current = stream;
      backoff = 500;
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          try {
            const event = JSON.parse(line) as { id?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
            const app = event.Actor?.Attributes?.[LABELS.app];
            if (app) onChange({ app, containerId: event.Actor?.ID ?? event.id ?? '', action: event.Action ?? '' });
          } catch {
            // A partial or foreign line: the periodic resync covers anything missed.
          }
        }
      });
      const again = () => {
        if (current === stream) current = null;
        retry();
      };
      stream.on('end', again);
      stream.on('error', again);
    } catch (err) {
      onError(err);
      retry();
    }
  };
  const retry = () => {
    if (closed) return;
    setTimeout(() => void connect(), backoff).unref();
    backoff = Math.min(backoff * 2, 10_000);
  };
  void connect();
  return {
    close() {
      closed = true;
      (current as unknown as { destroy?: () => void } | null)?.destroy?.();
    },
  };
}
