import type { NextFunction, Request, Response } from 'express';
import { isSlipwayError, SlipwayError } from '@slipway/core';

/** One place turns errors into Heroku's `{id, message}` with the real status. */
export function errorHandler(log: (line: string) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    let error: SlipwayError;
    if (isSlipwayError(err)) error = err;
    else if (isBodyParseError(err)) error = new SlipwayError('bad_request', 'The request body is not valid JSON.');
    else {
      log(`api: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      error = new SlipwayError('internal_server_error', 'Internal server error.');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(error.status).json({ id: error.id, message: error.message, ...(error.resource ? { resource: error.resource } : {}) });
  };
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: string }).type === 'entity.parse.failed';
}
