/**
 * One error type for the whole platform. The `id` is stable and is what code
 * checks; the message is for people. Status codes follow Heroku's API.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_params: 422,
  unprocessable_entity: 422,
  rate_limit: 429,
  internal_server_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorId = keyof typeof ERROR_STATUS;

export class SlipwayError extends Error {
  readonly id: ErrorId;
  readonly resource: string | undefined;

  constructor(id: ErrorId, message: string, resource?: string) {
    super(message);
    this.name = 'SlipwayError';
    this.id = id;
    this.resource = resource;
  }

  get status(): number {
    return ERROR_STATUS[this.id];
  }
}

export function isSlipwayError(err: unknown): err is SlipwayError {
  return err instanceof SlipwayError;
}

export function notFound(resource: string, name: string): SlipwayError {
  return new SlipwayError('not_found', `Couldn't find that ${resource}: ${name}.`, resource);
}

export function errorIdForStatus(status: number): ErrorId {
  const match = Object.entries(ERROR_STATUS).find(([, s]) => s === status);
  return (match?.[0] as ErrorId | undefined) ?? (status >= 500 ? 'internal_server_error' : 'bad_request');
}
