import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { isSelfConnected } from '@slipway/core';
import { portAccepts } from '../src/readiness.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('readiness', () => {
  it('says whether a port accepts connections', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(await portAccepts(port), true);
    await new Promise((resolve) => server.close(resolve));
    assert.equal(await portAccepts(port), false);
  });

  it('knows a socket connected to itself, which is what a probe of an unbound port can get', async () => {
    // Nothing listens on the port, and the socket's own source port is that port: Linux connects it to itself.
    const port = await freePort();
    const self = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: port });
    await new Promise<void>((resolve, reject) => {
      self.once('connect', () => resolve());
      self.once('error', reject);
    });
    assert.equal(isSelfConnected(self), true);
    self.destroy();

    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const other = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    await new Promise<void>((resolve) => other.once('connect', () => resolve()));
    assert.equal(isSelfConnected(other), false);
    other.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
