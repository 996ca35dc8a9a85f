/**
 * Router log lines, batched: a request only appends its line to an array;
 * a timer hands the whole batch on. When the queue is full, lines are dropped
 * (and counted) rather than slowing requests down.
 */
export interface RequestLogOptions {
  /** Receives each batch: `apps[i]` is the app of `lines[i]`, undefined when no app was found. */
  deliver: (apps: Array<string | undefined>, lines: string[]) => void;
  /** Lines said about dropped lines, and delivery errors. */
  log: (line: string) => void;
  /** Default 20 ms. */
  flushMs?: number;
  /** Default 20,000 lines. */
  maxQueued?: number;
}

export class RequestLog {
  private apps: Array<string | undefined> = [];
  private lines: string[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private readonly maxQueued: number;

  constructor(private readonly opts: RequestLogOptions) {
    this.flushMs = opts.flushMs ?? 20;
    this.maxQueued = opts.maxQueued ?? 20_000;
  }

  push(app: string | undefined, line: string): void {
    if (this.lines.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.apps.push(app);
    this.lines.push(line);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Counts a batch the sink could not take (the primary is backed up, say). */
  drop(count: number): void {
    this.dropped += count;
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dropped > 0) {
      this.opts.log(`at=warn fn=router desc="request log lines dropped under load" count=${this.dropped}`);
      this.dropped = 0;
    }
    if (this.lines.length === 0) return;
    const apps = this.apps;
    const lines = this.lines;
    this.apps = [];
    this.lines = [];
    try {
      this.opts.deliver(apps, lines);
    } catch (err) {
      this.opts.log(`at=error fn=router desc="request log delivery failed" error=${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
    }
  }
}

/** Delivers a batch in this process: to `appLog` when a line has an app and one is given, else to `log`. */
export function deliverLocally(log: (line: string) => void, appLog: ((app: string, line: string) => void) | undefined) {
  return (apps: Array<string | undefined>, lines: string[]): void => {
    for (let i = 0; i < lines.length; i++) {
      const app = apps[i];
      try {
        if (app !== undefined && appLog !== undefined) appLog(app, lines[i] as string);
        else log(lines[i] as string);
      } catch {
        // a failing sink must not stop the batch
      }
    }
  };
}
