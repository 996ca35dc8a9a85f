/** Output helpers shaped like the Heroku CLI's (`ux.styledHeader`, `styledObject`, `hux.table`). */

export function hex(app: string): string {
  return `⬢ ${app}`;
}

export function header(title: string): string {
  return `=== ${title}`;
}

/** `KEY:   value` lines, values aligned one space after the longest key. */
export function styledObject(entries: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...entries.map(([key]) => key.length)) + 2;
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width)}${value.replaceAll('\n', `\n${' '.repeat(width)}`)}`.trimEnd());
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

/** `2026/01/02 03:04:05 +0000`, always in UTC so output does not depend on the machine. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** `2026/01/02 03:04:05 +0000 (~ 1m ago)`; the age is left off past a day, as Heroku's `ps` does. */
export function timeAgo(iso: string, now: Date): string {
  const time = formatTime(iso);
  const since = new Date(iso).getTime();
  if (Number.isNaN(since)) return time;
  const elapsed = Math.max(0, Math.floor((now.getTime() - since) / 1000));
  if (elapsed < 60) return `${time} (~ ${elapsed}s ago)`;
  if (elapsed < 60 * 60) return `${time} (~ ${Math.floor(elapsed / 60)}m ago)`;
  if (elapsed < 60 * 60 * 25) return `${time} (~ ${Math.floor(elapsed / 3600)}h ago)`;
  return time;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
