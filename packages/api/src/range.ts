import type { Request, Response } from 'express';

/**
 * Heroku's list paging: `Range: version ..; max=15, order=desc`. Answers 206
 * with Content-Range (and Next-Range when more remain) when a page is cut.
 */
export function sendRange<T extends Record<string, unknown>>(req: Request, res: Response, items: T[], defaultField: string): void {
  const header = req.headers.range;
  const match = header ? /^\s*(\w+)\s*(?:([^.;\s]*)\s*)?\.\.\s*([^;\s]*)\s*(?:;\s*(.*))?$/.exec(header) : null;
  const field = match?.[1] ?? defaultField;
  const params = new Map((match?.[4] ?? '').split(',').map((p) => p.trim().split('=') as [string, string]));
  const max = Math.min(Math.max(Number(params.get('max') ?? 1000) || 1000, 1), 1000);
  const order = params.get('order') === 'desc' ? 'desc' : 'asc';
  const start = match?.[2] ?? '';
  const sorted = [...items].sort((a, b) => compare(a[field], b[field]) * (order === 'desc' ? -1 : 1));
  const from = start ? sorted.findIndex((i) => String(i[field]) === start) : 0;
  const page = sorted.slice(Math.max(from, 0), Math.max(from, 0) + max);
  const more = Math.max(from, 0) + max < sorted.length;
  if (!header && !more) {
    res.status(200).json(page);
    return;
  }
  const first = page[0]?.[field] ?? '';
  const last = page[page.length - 1]?.[field] ?? '';
  res.setHeader('Content-Range', `${field} ${String(first)}..${String(last)}; max=${max}, order=${order}`);
  if (more) res.setHeader('Next-Range', `${field} ${String(sorted[Math.max(from, 0) + max]?.[field])}..; max=${max}, order=${order}`);
  res.status(more ? 206 : 200).json(page);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
