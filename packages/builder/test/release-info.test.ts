import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeProcessTypes, parseReleaseYaml } from '@slipway/builder';

describe('release info', () => {
  it('reads default_process_types from bin/release YAML', () => {
    assert.deepEqual(parseReleaseYaml('---\ndefault_process_types:\n  web: npm start\n'), { web: 'npm start' });
  });

  it('treats empty output and an empty map as no defaults', () => {
    assert.deepEqual(parseReleaseYaml(''), {});
    assert.deepEqual(parseReleaseYaml('--- {}\n'), {});
    assert.deepEqual(parseReleaseYaml('---\ndefault_process_types: {}\n'), {});
  });

  it('lets the Procfile win over buildpack defaults', () => {
    assert.deepEqual(mergeProcessTypes({ web: 'node server.js' }, '---\ndefault_process_types:\n  web: npm start\n  worker: npm run work\n'), {
      web: 'node server.js',
      worker: 'npm run work',
    });
  });

  it('rejects YAML that is not a map of types', () => {
    assert.throws(() => parseReleaseYaml('default_process_types: [1, 2]'), /not a map/);
    assert.throws(() => parseReleaseYaml('default_process_types: {web: [unclosed'), /invalid YAML/);
  });
});
