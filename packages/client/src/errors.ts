import { ERROR_STATUS, SlipwayError, errorIdForStatus, type ErrorId } from '@slipway/core';

/**
 * A `SlipwayError` that came back from the API, or from failing to reach it.
 * `id` is the one the server sent (or one derived from the status when the body
 * had none); `httpStatus` is the real status, or `null` when there was no answer.
 */
export class SlipwayApiError extends SlipwayError {
  readonly httpStatus: number | null;

  constructor(id: ErrorId, message: string, httpStatus: number | null, resource?: string) {
    super(id, message, resource);
    this.name = 'SlipwayApiError';
    this.httpStatus = httpStatus;
  }

  override get status(): number {
    return this.httpStatus ?? super.status;
  }
}

function isErrorId(value: unknown): value is ErrorId {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/** Builds the error for a non-2xx answer from its status and raw body text. */
export function errorFromResponse(status: number, statusText: string, bodyText: string, apiUrl: string): SlipwayApiError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  if (typeof body === 'object' && body !== null) {
    const { id, message, resource } = body as { id?: unknown; message?: unknown; resource?: unknown };
    if (typeof message === 'string' && message !== '') {
      return new SlipwayApiError(
        isErrorId(id) ? id : errorIdForStatus(status),
        message,
        status,
        typeof resource === 'string' ? resource : undefined,
      );
    }
  }
  const excerpt = bodyText.trim().replace(/\s+/g, ' ').slice(0, 200);
  const answer = `${status}${statusText ? ` ${statusText}` : ''}`;
  return new SlipwayApiError(
    errorIdForStatus(status),
    `The Slipway API at ${apiUrl} answered ${answer}${excerpt ? `: ${excerpt}` : ''}`,
    status,
  );
}

/** The error for a request that never got an answer. */
export function unreachable(apiUrl: string, err: unknown): SlipwayApiError {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const reason =
    cause instanceof Error && cause.message ? cause.message : err instanceof Error ? err.message : String(err);
  return new SlipwayApiError('service_unavailable', `Could not reach the Slipway API at ${apiUrl}: ${reason}`, null);
}
