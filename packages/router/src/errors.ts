import type http from 'node:http';

/**
 * Router failures, with Heroku's codes and log descriptions. Heroku answers
 * every dyno-side failure with 503 (not 502), and so do we, so a client sees
 * the same statuses on Slipway as on Heroku.
 */
export const ROUTER_ERRORS = {
  no_such_app: { code: undefined, status: 404, desc: 'No such app', title: 'No such app', detail: 'There is no app configured at that hostname.' },
  H10: { code: 'H10', status: 503, desc: 'App crashed', title: 'H10 App crashed', detail: 'The app is not accepting connections.' },
  H11: { code: 'H11', status: 503, desc: 'Backlog too deep', title: 'H11 Backlog too deep', detail: 'Every web dyno of this app has too many requests in progress. Scale the web process type up.' },
  H12: { code: 'H12', status: 503, desc: 'Request timeout', title: 'H12 Request timeout', detail: 'The app did not start a response in time.' },
  H13: { code: 'H13', status: 503, desc: 'Connection closed without response', title: 'H13 Connection closed without response', detail: 'The app closed the connection before responding.' },
  H14: { code: 'H14', status: 503, desc: 'No web processes running', title: 'H14 No web dynos running', detail: 'The app has no web dynos up. Scale the web process type up, or wait for a deploy to finish.' },
  H15: { code: 'H15', status: 503, desc: 'Idle connection', title: 'H15 Idle connection', detail: 'The response stalled for too long.' },
  H18: { code: 'H18', status: 503, desc: 'Server Request Interrupted', title: 'H18 Server request interrupted', detail: 'The app closed the connection in the middle of the response.' },
  H27: { code: 'H27', status: 499, desc: 'Client Request Interrupted', title: 'H27 Client request interrupted', detail: 'The client closed the connection.' },
  H80: { code: 'H80', status: 503, desc: 'Maintenance mode', title: 'Offline for maintenance', detail: 'This app is undergoing maintenance right now. Please check back later.' },
  H99: { code: 'H99', status: 503, desc: 'Platform error', title: 'H99 Platform error', detail: 'Something went wrong in the router.' },
  bad_request: { code: undefined, status: 400, desc: 'Bad request', title: 'Bad request', detail: 'The request could not be parsed.' },
} as const;

export type RouterErrorKind = keyof typeof ROUTER_ERRORS;
export type RouterError = (typeof ROUTER_ERRORS)[RouterErrorKind];

/** The plain-text page the client sees, always carrying the request id. */
export function errorPage(kind: RouterErrorKind, requestId: string): string {
  const e = ROUTER_ERRORS[kind];
  return `${e.title}\n\n${e.detail}\n\nRequest ID: ${requestId}\n`;
}

/** Answers `res` with the error page unless a response already started. Returns the body length written. */
export function sendErrorPage(res: http.ServerResponse, kind: RouterErrorKind, requestId: string): number {
  if (res.headersSent || res.writableEnded || res.destroyed) return 0;
  const body = Buffer.from(errorPage(kind, requestId), 'utf8');
  res.writeHead(ROUTER_ERRORS[kind].status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache, no-store',
    'X-Request-Id': requestId,
    ...(kind === 'H80' ? { 'Retry-After': '120' } : {}),
  });
  res.end(body);
  return body.length;
}

/**
 * The same page as a raw HTTP/1.1 response, for sockets that never got a
 * `ServerResponse` (WebSocket upgrades and client errors).
 */
export function rawErrorResponse(kind: RouterErrorKind, requestId: string): string {
  const e = ROUTER_ERRORS[kind];
  const body = Buffer.from(errorPage(kind, requestId), 'utf8');
  return (
    `HTTP/1.1 ${e.status} ${STATUS_TEXT[e.status] ?? 'Error'}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    `X-Request-Id: ${requestId}\r\n` +
    'Connection: close\r\n\r\n' +
    body.toString('utf8')
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  431: 'Request Header Fields Too Large',
  499: 'Client Closed Request',
  503: 'Service Unavailable',
};
