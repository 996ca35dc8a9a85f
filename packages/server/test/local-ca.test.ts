import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalCa } from '../src/local-ca.js';

describe('LocalCa', () => {
  const home = mkdtempSync(join(tmpdir(), 'slipway-local-ca-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('issues certificates for exact hostnames and the default wildcard, signed by one authority it makes once', async () => {
    const ca = new LocalCa(home);
    const [demo, again, wildcard] = await Promise.all([ca.forHost('demo.localhost'), ca.forHost('Demo.Localhost'), ca.defaultCert('localhost')]);
    assert.ok(demo && again);
    assert.equal(again.cert, demo.cert, 'the same hostname gets the same certificate');
    const root = new X509Certificate(readFileSync(ca.caFile));
    assert.equal(root.ca, true);
    const leaf = new X509Certificate(demo.cert);
    assert.equal(leaf.verify(root.publicKey), true);
    assert.equal(leaf.checkHost('demo.localhost'), 'demo.localhost');
    assert.equal(leaf.checkHost('other.localhost'), undefined);
    const wild = new X509Certificate(wildcard.cert);
    assert.equal(wild.verify(root.publicKey), true);
    assert.match(wild.subjectAltName ?? '', /DNS:\*\.localhost/);

    // Kept on disk: a new instance (a daemon restart) serves the same ones and keeps the authority.
    const later = new LocalCa(home);
    assert.equal((await later.forHost('demo.localhost'))?.cert, demo.cert);
    assert.equal(readFileSync(later.caFile, 'utf8'), root.toString());
  });

  it('refuses names that cannot be hostnames, without running openssl', async () => {
    const ca = new LocalCa(home);
    for (const bad of ['', '../etc', 'a b.example.com', '-x.example.com', 'demo', 'x..y.com', 'a/b.com']) assert.equal(await ca.forHost(bad), undefined, bad);
  });
});
