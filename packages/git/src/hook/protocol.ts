/**
 * The pre-receive hook talks to the daemon over HTTP on loopback: it POSTs the
 * pushed tree as a tar and streams the response (the build output) to the
 * pusher. The last line of the response carries the verdict.
 */
export const HOOK_PATH = '/internal/git/pre-receive';
export const HOOK_TOKEN_HEADER = 'x-slipway-hook-token';
export const VERDICT_PREFIX = '\u0000slipway-exit:';

export function verdictLine(code: number): string {
  return `\n${VERDICT_PREFIX}${code}\n`;
}
