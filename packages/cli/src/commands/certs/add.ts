import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { certificateDetails } from '../../internal/certs.js';
import { hex } from '../../internal/format.js';

export function certsAdd(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('certs:add'))
    .description('add an SSL certificate to an app')
    .argument('<cert-file>', 'PEM certificate chain: the certificate first, then any intermediates')
    .argument('<key-file>', 'PEM private key of the certificate')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
The certificate is served by the router's HTTPS listener for the app's domains
it names. The API refuses a certificate it cannot parse or a key that does not
match it. The private key is never shown again.

Examples:
  $ slipway certs:add server.crt server.key -a demo
  Adding SSL certificate to ⬢ demo... done
  === sni-1f0c2a9b Certificate details
  ID:             1f0c2a9b-…
  Common Name(s): www.example.com
  Expires At:     2027/01/02 03:04:05 +0000
  …
`,
    )
    .action(async (certFile: string, keyFile: string, opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const chain = await readPem(io.cwd, certFile, 'certificate');
      const key = await readPem(io.cwd, keyFile, 'private key');
      if (!chain.includes('CERTIFICATE') && chain.includes('PRIVATE KEY') && key.includes('CERTIFICATE')) {
        throw new SlipwayError('invalid_params', `${certFile} holds a private key and ${keyFile} a certificate: give the certificate first, as certs:add CERT_FILE KEY_FILE.`);
      }
      const c = client();
      const endpoint = await action(io, `Adding SSL certificate to ${hex(app)}`, () => c.addSniEndpoint(app, { certificate_chain: chain, private_key: key }));
      if (opts.json) printJson(io, endpoint);
      else print(io, ...certificateDetails(endpoint, io.now()));
    });
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** The file's text, or a coded error that names the file and says why it could not be read. */
async function readPem(cwd: string, file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = READ_ERRORS[code] ?? (err instanceof Error ? err.message : String(err));
    throw new SlipwayError('invalid_params', `Could not read the ${what} file ${file}: ${reason}.`);
  }
  if (text.trim() === '') throw new SlipwayError('invalid_params', `The ${what} file ${file} is empty.`);
  return text;
}
