/**
 * Router log lines, batched: a request only appends its line to an array;
 * a timer hands the whole batch on. When the queue is full, lines are dropped
 * (and counted) rather than slowing requests down.
 *
 * Each app also has a budget of lines per second (per router process), a
 * token bucket. Lines past it are dropped, and once a second the app's log
 * gets one line saying how many, in the words of Heroku's Logplex:
 * `Error L10 (output buffer overflow): 1234 messages dropped since <time>.`
 * The app's log keeps about 1,500 lines, so at 25,000 requests a second every
 * line would be overwritten within a tenth of a second anyway; writing them
 * would cost the router more than the requests did.
 */
export interface RequestLogSink {
  /** Whether the app's next line fits its budget (it is counted as dropped otherwise). Check before formatting a line. */
  admit(app: string | undefined): boolean;
  push(app: string | undefined, line: string): void;
}

export interface RequestLogOptions {
  /** Receives each batch: `apps[i]` is the app of `lines[i]`, undefined when no app was found. */
  deliver: (apps: Array<string | undefined>, lines: string[]) => void;
  /** Lines said about dropped lines, and delivery errors. */
  log: (line: string) => void;
  /** Default 20 ms. */
  flushMs?: number;
  /** Default 20,000 lines. */
  maxQueued?: number;
  /** Lines per app per second, and the burst allowed; default 1,000. Lines with no app (404s, 400s) share one budget. */
  perAppPerSecond?: number;
  /** The clock, in ms since the epoch (for tests). */
  now?: () => number;
}

const NO_APP = '';

export class RequestLog implements RequestLogSink {
  private apps: Array<string | undefined> = [];
  private lines: string[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private overflowTimer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private readonly maxQueued: number;
  private readonly rate: number;
  private readonly now: () => number;
  /**
   * A token bucket per app, in thousandths of a line so that whole milliseconds
   * refill it exactly: it refills at `rate` lines a second up to `rate` lines,
   * so sustained overload keeps evenly spread lines, not a burst each second.
   */
  private buckets = new Map<string, { tokens: number; at: number }>();
  /** Lines over budget per app, and since when, until the overflow line is written. */
  private overflow = new Map<string, { count: number; since: number }>();

  constructor(private readonly opts: RequestLogOptions) {
    this.flushMs = opts.flushMs ?? 20;
    this.maxQueued = opts.maxQueued ?? 20_000;
    this.rate = opts.perAppPerSecond ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  admit(app: string | undefined): boolean {
    const key = app ?? NO_APP;
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size > 10_000) this.buckets.clear(); // apps come and go; a full bucket is what a new one gets anyway
      bucket = { tokens: this.rate * 1000, at: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.rate * 1000, bucket.tokens + (now - bucket.at) * this.rate);
      bucket.at = now;
    }
    if (bucket.tokens >= 1000) {
      bucket.tokens -= 1000;
      return true;
    }
    const over = this.overflow.get(key);
    if (over) over.count++;
    else {
      this.overflow.set(key, { count: 1, since: now });
      // Said at most once a second per app, and said even if no request comes after it.
      if (this.overflowTimer === undefined) {
        this.overflowTimer = setTimeout(() => {
          this.overflowTimer = undefined;
          this.reportOverflow();
        }, 1000);
        this.overflowTimer.unref();
      }
    }
    return false;
  }

  /** Each app that went over its budget hears how many lines it lost, in Heroku's words. */
  reportOverflow(): void {
    if (this.overflow.size === 0) return;
    const overflow = this.overflow;
    this.overflow = new Map();
    for (const [app, { count, since }] of overflow) {
      if (app === NO_APP) this.push(undefined, `at=warn fn=router desc="request log lines over budget dropped" count=${count}`);
      else this.push(app, `Error L10 (output buffer overflow): ${count} messages dropped since ${new Date(since).toISOString()}.`);
    }
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
