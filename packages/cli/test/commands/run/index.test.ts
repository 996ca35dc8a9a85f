import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { SlipwayClient } from '@slipway/client';
import { encodeAttachExit, encodeAttachOutput } from '@slipway/core';
import { runCli } from '../../../src/run.js';
import { parseEnvFlags } from '../../../src/commands/run/index.js';
import type { Io } from '../../../src/io.js';
import { emptyDir, NOW } from '../../helpers/run.js';

/**
 * A fake API for `run`: POST /apps/demo/dynos answers an attach_url on itself,
 * and the upgrade there echoes stdin back as stdout, then on EOF writes "bye"
 * to stderr and exits 7.
 */
class FakeRunApi {
  readonly bodies: unknown[] = [];
  attachHeaders: IncomingMessage['headers'] | null = null;
  url = '';
  readonly #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/apps/demo/dynos') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 'not_found', message: "Couldn't find that app: x." }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { attach: boolean };
      this.bodies.push(body);
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({
        name: 'run.3', type: 'run', state: 'starting',
        attach_url: body.attach ? `${this.url}/apps/demo/dynos/run.3/attach` : null,
      }));
    });
  });

  constructor() {
    this.#server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      this.attachHeaders = req.headers;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: slipway-attach\r\n\r\n');
      if (head.length) socket.write(encodeAttachOutput('stdout', head));
      socket.on('data', (chunk: Buffer) => socket.write(encodeAttachOutput('stdout', chunk)));
      socket.on('end', () => {
        socket.write(encodeAttachOutput('stderr', Buffer.from('bye\n')));
        socket.end(encodeAttachExit(7));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

async function runWithStdin(argv: string[], apiUrl: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    cwd: emptyDir(),
    now: () => NOW,
    streams: () => ({ stdin: Readable.from([Buffer.from(input)]), stdout: out, stderr: err }),
  };
  const code = await runCli(argv, () => new SlipwayClient({ apiUrl, apiKey: 'test-key' }), io);
  return { code, stdout, stderr };
}

describe('run', () => {
  const api = new FakeRunApi();
  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => {
    api.bodies.length = 0;
    api.attachHeaders = null;
  });

  it('sends the words after -- as one quoted command, with -e vars and the size', async () => {
    const result = await runWithStdin(
      ['run', '-a', 'demo', '-e', 'A=1', '--env', 'B=x=y', '-s', 'Standard-2X', '--', 'bash', '-c', 'echo $A; exit 7'],
      api.url,
      'hello\n',
    );
    assert.deepEqual(api.bodies, [{ command: "bash -c 'echo $A; exit 7'", attach: true, type: 'run', env: { A: '1', B: 'x=y' }, size: 'standard-2x' }]);
    assert.equal(result.code, 7);
    assert.equal(result.stdout, 'hello\n');
    assert.equal(result.stderr, "Running `bash -c 'echo $A; exit 7'` on ⬢ demo... up, run.3\nbye\n");
    assert.equal(api.attachHeaders?.authorization, 'Bearer test-key');
    assert.equal(api.attachHeaders?.upgrade, 'slipway-attach');
  });

  it('takes options after the command words only before --', async () => {
    await runWithStdin(['run', 'rake db:migrate', '-a', 'demo', '--', '-a', 'x'], api.url, '');
    assert.deepEqual(api.bodies, [{ command: "'rake db:migrate' -a x", attach: true, type: 'run', env: {} }]);
  });

  it('runs a single argument as a shell command line', async () => {
    await runWithStdin(['run', '-a', 'demo', 'echo $HOME; ls'], api.url, '');
    assert.deepEqual(api.bodies, [{ command: 'echo $HOME; ls', attach: true, type: 'run', env: {} }]);
  });

  it('refuses a bad -e before sending anything', async () => {
    for (const bad of ['NOEQUALS', '1A=x', '=x']) {
      const result = await runWithStdin(['run', '-a', 'demo', '-e', bad, '--', 'ls'], api.url, '');
      assert.equal(result.code, 1, bad);
      assert.match(result.stderr, /is not KEY=value/);
    }
    assert.deepEqual(api.bodies, []);
  });

  it('refuses no command and an unknown size', async () => {
    assert.notEqual((await runWithStdin(['run', '-a', 'demo'], api.url, '')).code, 0);
    const sized = await runWithStdin(['run', '-a', 'demo', '-s', 'huge', '--', 'ls'], api.url, '');
    assert.equal(sized.code, 1);
    assert.match(sized.stderr, /Size "huge" is invalid/);
    assert.deepEqual(api.bodies, []);
  });

  it('prints the API error after the action line', async () => {
    const result = await runWithStdin(['run', '-a', 'other', '--', 'ls'], api.url, '');
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "Running `ls` on ⬢ other... !\n !    Couldn't find that app: x.\n");
  });

  it('parses repeated -e flags, keeping = in values and refusing a key given twice', () => {
    assert.deepEqual(parseEnvFlags(['A=1', 'B=', 'C=a=b']), { A: '1', B: '', C: 'a=b' });
    assert.throws(() => parseEnvFlags(['A=1', 'A=2']), /given twice/);
  });
});

describe('run:detached', () => {
  const api = new FakeRunApi();
  before(() => api.start());
  after(() => api.stop());

  it('starts the dyno without attaching and says where the output goes', async () => {
    const result = await runWithStdin(['run:detached', '-a', 'demo', '--', 'sleep', '1'], api.url, '');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(api.bodies, [{ command: 'sleep 1', attach: false, type: 'run', env: {} }]);
    assert.equal(result.stderr, 'Running `sleep 1` on ⬢ demo... up, run.3\n');
    assert.equal(result.stdout, "Use 'slipway logs -a demo --dyno run.3' to view the output.\n");
    assert.equal(api.attachHeaders, null);
  });
});
