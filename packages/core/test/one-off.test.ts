import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachFrameDecoder, buildRunCommand, encodeAttachExit, encodeAttachHeartbeat, encodeAttachOutput, MAX_ATTACH_FRAME_BYTES, parseOneOffRequest,
  shellQuote, SlipwayError, type AttachFrame,
} from '@slipway/core';

describe('attach frames', () => {
  it('round-trips output and the exit code', () => {
    const bytes = Buffer.concat([
      encodeAttachOutput('stdout', Buffer.from('hello\n')),
      encodeAttachOutput('stderr', Buffer.from([0xff, 0x00, 0xfe])),
      encodeAttachExit(7),
    ]);
    const frames = new AttachFrameDecoder().push(bytes);
    assert.deepEqual(frames, [
      { type: 'stdout', data: Buffer.from('hello\n') },
      { type: 'stderr', data: Buffer.from([0xff, 0x00, 0xfe]) },
      { type: 'exit', code: 7 },
    ]);
  });

  it('lays a frame out as stream id, uint32 length, payload', () => {
    assert.deepEqual([...encodeAttachOutput('stderr', Buffer.from('ab'))], [2, 0, 0, 0, 2, 97, 98]);
    assert.deepEqual([...encodeAttachExit(-1)], [3, 0, 0, 0, 4, 255, 255, 255, 255]);
  });

  it('decodes frames that arrive one byte at a time', () => {
    const bytes = Buffer.concat([encodeAttachOutput('stdout', Buffer.from('xyz')), encodeAttachExit(127)]);
    const decoder = new AttachFrameDecoder();
    const frames: AttachFrame[] = [];
    for (const byte of bytes) frames.push(...decoder.push(Buffer.from([byte])));
    assert.deepEqual(frames, [{ type: 'stdout', data: Buffer.from('xyz') }, { type: 'exit', code: 127 }]);
    assert.equal(decoder.pendingBytes, 0);
    decoder.finish();
  });

  it('makes the heartbeat an empty stdout frame', () => {
    assert.deepEqual(new AttachFrameDecoder().push(encodeAttachHeartbeat()), [{ type: 'stdout', data: Buffer.alloc(0) }]);
  });

  it('sends nothing for empty output and splits big output', () => {
    assert.equal(encodeAttachOutput('stdout', Buffer.alloc(0)).length, 0);
    const big = Buffer.alloc(MAX_ATTACH_FRAME_BYTES + 10, 1);
    const frames = new AttachFrameDecoder().push(encodeAttachOutput('stdout', big));
    assert.deepEqual(frames.map((f) => (f.type === 'exit' ? -1 : f.data.length)), [MAX_ATTACH_FRAME_BYTES, 10]);
  });

  it('refuses an unknown stream id, a bad exit length and a stream cut inside a frame', () => {
    assert.throws(() => new AttachFrameDecoder().push(Buffer.from([9, 0, 0, 0, 0])), SlipwayError);
    assert.throws(() => new AttachFrameDecoder().push(Buffer.from([3, 0, 0, 0, 2, 0, 0])), SlipwayError);
    const cut = new AttachFrameDecoder();
    cut.push(encodeAttachOutput('stdout', Buffer.from('hello')).subarray(0, 7));
    assert.throws(() => cut.finish(), SlipwayError);
  });
});

describe('parseOneOffRequest', () => {
  it('fills in Heroku defaults', () => {
    assert.deepEqual(parseOneOffRequest({ command: 'bash' }), { command: 'bash', attach: false, env: {}, size: 'standard-1x', timeToLiveSeconds: 3600 });
  });

  it('reads every field', () => {
    assert.deepEqual(
      parseOneOffRequest({ command: 'rake db:migrate', attach: true, env: { A: '1' }, size: 'Standard-2X', type: 'run', time_to_live: 60 }),
      { command: 'rake db:migrate', attach: true, env: { A: '1' }, size: 'standard-2x', timeToLiveSeconds: 60 },
    );
  });

  const bad: [string, unknown][] = [
    ['no body', null],
    ['no command', {}],
    ['an empty command', { command: '  ' }],
    ['a command that is not a string', { command: ['ls'] }],
    ['attach that is not a boolean', { command: 'ls', attach: 'yes' }],
    ['a type other than run', { command: 'ls', type: 'web' }],
    ['a bad env name', { command: 'ls', env: { '1A': 'x' } }],
    ['an env value that is not a string', { command: 'ls', env: { A: 1 } }],
    ['an unknown size', { command: 'ls', size: 'huge' }],
    ['a zero time to live', { command: 'ls', time_to_live: 0 }],
    ['a time to live over a day', { command: 'ls', time_to_live: 86401 }],
  ];
  for (const [desc, body] of bad) {
    it(`refuses ${desc} as invalid_params`, () => {
      assert.throws(() => parseOneOffRequest(body), (err: SlipwayError) => err.id === 'invalid_params');
    });
  }
});

describe('buildRunCommand', () => {
  it('sends one argument as it is', () => {
    assert.equal(buildRunCommand(['echo $HOME; ls']), 'echo $HOME; ls');
  });

  it('quotes the words that need it for a shell', () => {
    assert.equal(buildRunCommand(['bash', '-c', 'echo out; exit 7']), "bash -c 'echo out; exit 7'");
    assert.equal(buildRunCommand(['node', '-e', 'process.stdin.pipe(process.stdout)']), "node -e 'process.stdin.pipe(process.stdout)'");
    assert.equal(buildRunCommand(['echo', "it's", '']), `echo 'it'\\''s' ''`);
  });

  it('leaves plain words alone', () => {
    assert.equal(shellQuote('--flag=a:b,c/d.e@f%g+h'), '--flag=a:b,c/d.e@f%g+h');
  });

  it('refuses no command at all', () => {
    assert.throws(() => buildRunCommand([]), SlipwayError);
  });
});
