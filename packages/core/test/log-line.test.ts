import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  dockerSinceParam, dockerTimestampNanos, formatLogLine, formatLogTime, logTimeFromDocker, logTimeNow, matchesLogFilter,
  parseLogDyno, parseLogLine, parseLogLineCount, parseLogSource, splitLogText, SlipwayError,
} from '@slipway/core';

describe('formatLogTime', () => {
  const cases = [
    { desc: 'whole milliseconds', ms: Date.UTC(2026, 0, 2, 3, 4, 5, 123), want: '2026-01-02T03:04:05.123000+00:00' },
    { desc: 'a fraction of a millisecond becomes microseconds', ms: Date.UTC(2026, 0, 2, 3, 4, 5, 123) + 0.4567, want: '2026-01-02T03:04:05.123456+00:00' },
    { desc: 'the start of a second', ms: Date.UTC(2026, 0, 2, 3, 4, 5), want: '2026-01-02T03:04:05.000000+00:00' },
    { desc: 'just before the next second', ms: Date.UTC(2026, 0, 2, 3, 4, 5, 999) + 0.9995, want: '2026-01-02T03:04:05.999999+00:00' },
  ];
  for (const c of cases) {
    it(c.desc, () => assert.equal(formatLogTime(c.ms), c.want));
  }

  it('throws on a time that is not a number', () => {
    assert.throws(() => formatLogTime(Number.NaN), SlipwayError);
  });

  it('gives the current time in the log format', () => {
    const now = logTimeNow();
    assert.match(now, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    assert.ok(Math.abs(Date.parse(now.replace('+00:00', 'Z')) - Date.now()) < 5000);
  });
});

describe('Docker timestamps', () => {
  it('become log times, cut to microseconds', () => {
    assert.equal(logTimeFromDocker('2026-01-02T03:04:05.123456789Z'), '2026-01-02T03:04:05.123456+00:00');
    assert.equal(logTimeFromDocker('2026-01-02T03:04:05.1Z'), '2026-01-02T03:04:05.100000+00:00');
    assert.equal(logTimeFromDocker('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000000+00:00');
  });

  it('order exactly, to the nanosecond', () => {
    const a = dockerTimestampNanos('2026-01-02T03:04:05.123456789Z');
    const b = dockerTimestampNanos('2026-01-02T03:04:05.12345679Z');
    assert.equal(b - a, 1n);
    assert.equal(dockerTimestampNanos('1970-01-01T00:00:01Z'), 1_000_000_000n);
  });

  it("give Docker's since parameter", () => {
    assert.equal(dockerSinceParam('1970-01-01T00:00:01.5Z'), '1.500000000');
    assert.equal(dockerSinceParam('2026-01-02T03:04:05.000000007Z'), `${Date.UTC(2026, 0, 2, 3, 4, 5) / 1000}.000000007`);
  });

  it('throw on anything else', () => {
    for (const bad of ['', '2026-01-02 03:04:05Z', '2026-01-02T03:04:05.123+01:00', 'hello']) {
      assert.throws(() => logTimeFromDocker(bad), SlipwayError, bad);
      assert.throws(() => dockerTimestampNanos(bad), SlipwayError, bad);
    }
  });
});

describe('formatLogLine and parseLogLine', () => {
  const cases = [
    { desc: 'app output', line: { time: '2026-01-02T03:04:05.123456+00:00', source: 'app', dyno: 'web.1', text: 'listening on 5000' }, text: '2026-01-02T03:04:05.123456+00:00 app[web.1]: listening on 5000' },
    { desc: 'a router line', line: { time: '2026-01-02T03:04:05.000001+00:00', source: 'slipway', dyno: 'router', text: 'at=info method=GET path="/" status=200' }, text: '2026-01-02T03:04:05.000001+00:00 slipway[router]: at=info method=GET path="/" status=200' },
    { desc: 'a state change', line: { time: '2026-01-02T03:04:05.000000+00:00', source: 'slipway', dyno: 'web.1', text: 'State changed from starting to up' }, text: '2026-01-02T03:04:05.000000+00:00 slipway[web.1]: State changed from starting to up' },
    { desc: 'an empty line', line: { time: '2026-01-02T03:04:05.000000+00:00', source: 'app', dyno: 'worker.2', text: '' }, text: '2026-01-02T03:04:05.000000+00:00 app[worker.2]: ' },
    { desc: 'text with brackets and colons', line: { time: '2026-01-02T03:04:05.000000+00:00', source: 'app', dyno: 'web.1', text: 'a[b]: c: d' }, text: '2026-01-02T03:04:05.000000+00:00 app[web.1]: a[b]: c: d' },
  ] as const;
  for (const c of cases) {
    it(`formats and reads back ${c.desc}`, () => {
      assert.equal(formatLogLine(c.line), c.text);
      assert.deepEqual(parseLogLine(c.text), c.line);
    });
  }

  it('reads heroku[...] as slipway and ignores a trailing newline', () => {
    assert.deepEqual(parseLogLine('2026-01-02T03:04:05.123456+00:00 heroku[api]: Release v3 created by user a@b.c\n'), {
      time: '2026-01-02T03:04:05.123456+00:00', source: 'slipway', dyno: 'api', text: 'Release v3 created by user a@b.c',
    });
  });

  it('throws on lines it cannot read', () => {
    for (const bad of ['', 'hello', '2026-01-02T03:04:05Z app[web.1]: x', '2026-01-02T03:04:05.123456+00:00 other[web.1]: x', '2026-01-02T03:04:05.123456+00:00 app[web 1]: x']) {
      assert.throws(() => parseLogLine(bad), SlipwayError, bad);
    }
  });
});

describe('log filters', () => {
  const cases = [
    { desc: 'no filter matches everything', line: { source: 'app', dyno: 'web.1' }, filter: {}, want: true },
    { desc: 'a process type matches its dynos', line: { source: 'app', dyno: 'web.2' }, filter: { dyno: 'web' }, want: true },
    { desc: 'a process type does not match a longer one', line: { source: 'app', dyno: 'webhook.1' }, filter: { dyno: 'web' }, want: false },
    { desc: 'a dyno matches only itself', line: { source: 'app', dyno: 'web.12' }, filter: { dyno: 'web.1' }, want: false },
    { desc: 'router by name', line: { source: 'slipway', dyno: 'router' }, filter: { dyno: 'router' }, want: true },
    { desc: 'source app leaves platform lines out', line: { source: 'slipway', dyno: 'web.1' }, filter: { source: 'app' }, want: false },
    { desc: 'source and dyno together', line: { source: 'slipway', dyno: 'web.1' }, filter: { source: 'slipway', dyno: 'web.1' }, want: true },
  ] as const;
  for (const c of cases) {
    it(c.desc, () => assert.equal(matchesLogFilter(c.line, c.filter), c.want));
  }
});

describe('log request parameters', () => {
  it('accepts dynos, types and platform names, and rejects the rest', () => {
    for (const ok of ['web.1', 'web', 'router', 'api', 'worker-2.10']) assert.equal(parseLogDyno(ok), ok);
    for (const bad of ['', 'web.', 'web.1.2', 'we b', '../x', 5, null]) assert.throws(() => parseLogDyno(bad), SlipwayError, String(bad));
  });

  it('accepts the sources app, slipway and heroku', () => {
    assert.equal(parseLogSource('app'), 'app');
    assert.equal(parseLogSource('slipway'), 'slipway');
    assert.equal(parseLogSource('heroku'), 'slipway');
    assert.throws(() => parseLogSource('router'), SlipwayError);
  });

  it('accepts 1 to 1500 lines, as a number or digits', () => {
    assert.equal(parseLogLineCount(100), 100);
    assert.equal(parseLogLineCount('1500'), 1500);
    for (const bad of [0, 1501, -1, 1.5, '1e3', '', 'ten', null]) assert.throws(() => parseLogLineCount(bad), SlipwayError, String(bad));
  });
});

describe('splitLogText', () => {
  it('splits on newlines and drops carriage returns and the final empty line', () => {
    assert.deepEqual(splitLogText('a\r\nb\n'), ['a', 'b']);
    assert.deepEqual(splitLogText('one'), ['one']);
    assert.deepEqual(splitLogText('\n'), ['']);
    assert.deepEqual(splitLogText('a\n\nb'), ['a', '', 'b']);
  });
});
