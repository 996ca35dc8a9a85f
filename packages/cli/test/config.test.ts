import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCliConfig } from '../src/config.js';
import { emptyDir } from './helpers/run.js';

describe('cli config', () => {
  it('defaults to 127.0.0.1:5000, or SLIPWAY_API_PORT', () => {
    assert.equal(readCliConfig({ SLIPWAY_API_KEY: 'k' }).apiUrl, 'http://127.0.0.1:5000');
    assert.equal(readCliConfig({ SLIPWAY_API_KEY: 'k', SLIPWAY_API_PORT: '5100' }).apiUrl, 'http://127.0.0.1:5100');
    assert.equal(readCliConfig({ SLIPWAY_API_KEY: 'k', SLIPWAY_API_URL: 'https://api.example.test' }).apiUrl, 'https://api.example.test');
    assert.throws(() => readCliConfig({ SLIPWAY_API_KEY: 'k', SLIPWAY_API_PORT: 'http' }), /SLIPWAY_API_PORT="http" is not a port number/);
  });

  it('reads the key from SLIPWAY_API_KEY first, then $SLIPWAY_HOME/api-key', () => {
    const home = emptyDir();
    writeFileSync(join(home, 'api-key'), 'from-file\n');
    assert.equal(readCliConfig({ SLIPWAY_API_KEY: 'from-env', SLIPWAY_HOME: home }).apiKey, 'from-env');
    assert.equal(readCliConfig({ SLIPWAY_HOME: home }).apiKey, 'from-file');
  });

  it('falls back to ~/.slipway/api-key', () => {
    const home = emptyDir();
    mkdirSync(join(home, '.slipway'));
    writeFileSync(join(home, '.slipway', 'api-key'), 'k2');
    assert.equal(readCliConfig({}, home).apiKey, 'k2');
  });

  it('names both places when there is no key', () => {
    const home = emptyDir();
    assert.throws(() => readCliConfig({ SLIPWAY_HOME: home }), {
      id: 'unauthorized',
      message: `No Slipway API key: set SLIPWAY_API_KEY, or put the key in ${join(home, 'api-key')}.`,
    });
    writeFileSync(join(home, 'api-key'), '  \n');
    assert.throws(() => readCliConfig({ SLIPWAY_HOME: home }), /is empty/);
  });
});
