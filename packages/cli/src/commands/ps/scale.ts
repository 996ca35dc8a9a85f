import { Command } from 'commander';
import type { FormationPatch, SlipwayClient } from '@slipway/client';
import { MAX_DYNOS_PER_TYPE, SlipwayError, parseScaleArgs, type FormationUpdate, type HerokuFormation } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function psScale(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('ps:scale'))
    .description('scale dyno quantity up or down')
    .argument('[formation...]', 'TYPE=N, TYPE+N or TYPE-N, each with an optional :SIZE')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Sets the number of dynos of each process type (TYPE=N) or changes it (TYPE+N,
TYPE-N), optionally with a dyno size (standard-1x, standard-2x, performance-m).
Anything else is refused before a request is sent. With no arguments, prints the
current formation.

Examples:
  $ slipway ps:scale web=2 worker+1 -a demo
  Scaling dynos... done, now running web at 2:standard-1x, worker at 1:standard-1x
  $ slipway ps:scale web=1:standard-2x
  $ slipway ps:scale
  web=1:standard-1x worker=0:standard-1x
`,
    )
    .action(async (args: string[], opts: AppOptions & { json?: boolean }) => {
      const updates = args.length === 0 ? [] : parseScaleArgs(args);
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      if (updates.length === 0) {
        const formation = await c.listFormation(app);
        if (opts.json) return printJson(io, formation);
        if (formation.length === 0) {
          throw new SlipwayError('not_found', `No process types on ${hex(app)}.\nUpload a Procfile to add process types.`);
        }
        return print(io, formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(' '));
      }
      const relative = updates.some((u) => u.quantity === undefined);
      const patches = resolveScaleUpdates(updates, relative ? await c.listFormation(app) : []);
      const result = await action(io, 'Scaling dynos', () => c.updateFormation(app, patches), (formation) => {
        const running = describeFormation(formation, patches);
        return running ? `done, now running ${running}` : 'done';
      });
      if (opts.json) printJson(io, result);
    });
}

/**
 * Turns parsed updates into absolute quantities. Relative ones (`web+1`) are
 * resolved against `current`; a result below 0 or above the limit is refused.
 */
export function resolveScaleUpdates(updates: readonly FormationUpdate[], current: readonly HerokuFormation[]): FormationPatch[] {
  return updates.map((update) => {
    let quantity = update.quantity;
    if (quantity === undefined) {
      const entry = current.find((f) => f.type === update.type);
      if (entry === undefined) {
        const known = current.length ? current.map((f) => f.type).join(', ') : 'none (deploy the app first)';
        throw new SlipwayError('not_found', `No such process type ${update.type} defined in Procfile. Process types: ${known}.`, 'formation');
      }
      quantity = entry.quantity + (update.delta ?? 0);
      const asked = `${update.type}${(update.delta ?? 0) < 0 ? '' : '+'}${update.delta ?? 0}`;
      if (quantity < 0 || quantity > MAX_DYNOS_PER_TYPE) {
        throw new SlipwayError(
          'invalid_params',
          `Cannot scale ${asked}: ${update.type} runs ${entry.quantity} now, and the quantity must stay between 0 and ${MAX_DYNOS_PER_TYPE}.`,
          'formation',
        );
      }
    }
    return update.size === undefined ? { type: update.type, quantity } : { type: update.type, quantity, size: update.size };
  });
}

/** `web at 2:standard-1x, worker at 1:standard-1x`, for the types that were scaled, in the order given. */
function describeFormation(formation: readonly HerokuFormation[], patches: readonly FormationPatch[]): string {
  return patches
    .map((p) => formation.find((f) => f.type === p.type))
    .filter((f): f is HerokuFormation => f !== undefined)
    .map((f) => `${f.type} at ${f.quantity}:${f.size}`)
    .join(', ');
}
