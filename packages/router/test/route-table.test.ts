import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppName, AppRoutes } from '@slipway/core';
import { buildRouteTable, normalizeHost, parseAppRoutes, RouteTable } from '../src/route-table.js';

function routes(app: string, extra: Partial<AppRoutes> = {}): AppRoutes {
  return { app: app as AppName, hostnames: [], maintenance: false, targets: [{ dyno: 'web.1', port: 5001, release: 1 }], ...extra };
}

describe('route-table', () => {
  const table = buildRouteTable('Slipway.Test', [
    routes('demo', { hostnames: ['www.example.com', 'Shop.Example.com.'] }),
    routes('other', { hostnames: ['*.wild.example.org'] }),
  ]);

  it('maps <app>.<domain> to the app', () => {
    assert.equal(table.lookup('demo.slipway.test')?.app, 'demo');
    assert.equal(table.lookup('other.slipway.test')?.app, 'other');
  });

  it('strips the port from the Host header', () => {
    assert.equal(table.lookup('demo.slipway.test:8080')?.app, 'demo');
    assert.equal(table.lookup('www.example.com:80')?.app, 'demo');
  });

  it('matches regardless of case and of a trailing dot', () => {
    assert.equal(table.lookup('DEMO.Slipway.TEST')?.app, 'demo');
    assert.equal(table.lookup('demo.slipway.test.')?.app, 'demo');
    assert.equal(table.lookup('shop.example.com')?.app, 'demo');
  });

  it('maps custom hostnames to their app', () => {
    assert.equal(table.lookup('www.example.com')?.app, 'demo');
    assert.equal(table.lookup('WWW.EXAMPLE.COM:443')?.app, 'demo');
  });

  it('matches a wildcard hostname one label deep, after exact names', () => {
    assert.equal(table.lookup('a.wild.example.org')?.app, 'other');
    assert.equal(table.lookup('wild.example.org'), undefined);
    assert.equal(table.lookup('a.b.wild.example.org'), undefined);
  });

  it('returns nothing for an unknown host, a missing host or a bare domain', () => {
    assert.equal(table.lookup('nope.slipway.test'), undefined);
    assert.equal(table.lookup('demo.slipway.test.evil.com'), undefined);
    assert.equal(table.lookup('slipway.test'), undefined);
    assert.equal(table.lookup(undefined), undefined);
    assert.equal(table.lookup(''), undefined);
    assert.equal(table.lookup(':80'), undefined);
  });

  it('keeps a hostname for the first app by name when two claim it', () => {
    const t = buildRouteTable('slipway.test', [routes('zeta', { hostnames: ['x.example.com'] }), routes('alpha', { hostnames: ['x.example.com'] })]);
    assert.equal(t.lookup('x.example.com')?.app, 'alpha');
    assert.equal(t.conflicts.length, 1);
  });

  it('never lets a custom hostname shadow another app\'s own hostname', () => {
    const t = buildRouteTable('slipway.test', [routes('aaa', { hostnames: ['bbb.slipway.test'] }), routes('bbb')]);
    assert.equal(t.lookup('bbb.slipway.test')?.app, 'bbb');
  });

  it('is immutable: withApp and withoutApp return new tables', () => {
    const next = table.withApp(routes('demo', { maintenance: true, hostnames: [] }));
    assert.notEqual(next, table);
    assert.equal(table.lookup('demo.slipway.test')?.maintenance, false);
    assert.equal(next.lookup('demo.slipway.test')?.maintenance, true);
    assert.equal(next.lookup('www.example.com'), undefined);
    assert.equal(table.lookup('www.example.com')?.app, 'demo');
    const without = next.withoutApp('other');
    assert.equal(without.lookup('other.slipway.test'), undefined);
    assert.equal(next.lookup('other.slipway.test')?.app, 'other');
    assert.equal(without.withoutApp('other'), without);
    assert.throws(() => (table.apps as AppRoutes[]).push(routes('x')));
    assert.ok(Object.isFrozen(table.lookup('demo.slipway.test')?.targets));
  });

  it('builds an empty table', () => {
    const empty = RouteTable.empty('slipway.test');
    assert.equal(empty.size, 0);
    assert.equal(empty.lookup('demo.slipway.test'), undefined);
  });
});

describe('normalizeHost', () => {
  it('lowercases, strips the port and keeps IPv6 literals whole', () => {
    assert.equal(normalizeHost('Demo.Example.COM:8080'), 'demo.example.com');
    assert.equal(normalizeHost('[::1]:8080'), '[::1]');
    assert.equal(normalizeHost('  demo.test  '), 'demo.test');
    assert.equal(normalizeHost(undefined), undefined);
  });
});

describe('parseAppRoutes', () => {
  it('accepts a well-formed record and normalizes its hostnames', () => {
    const parsed = parseAppRoutes({ app: 'demo', hostnames: ['WWW.Example.com', 'www.example.com'], maintenance: false, targets: [{ dyno: 'web.1', port: 5001, release: 3 }] });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.routes.hostnames, ['www.example.com']);
  });

  it('rejects a bad app name, a bad port and a non-hostname', () => {
    const parsed = parseAppRoutes({ app: 'Demo!', hostnames: ['not a host'], maintenance: 'no', targets: [{ dyno: 'web.1', port: 70000, release: 1 }] });
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.equal(parsed.problems.length, 4);
    assert.equal(parseAppRoutes(null).ok, false);
    assert.equal(parseAppRoutes({ app: 'demo' }).ok, false);
  });
});
