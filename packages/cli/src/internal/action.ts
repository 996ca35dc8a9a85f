import type { Io } from '../io.js';

/**
 * Heroku's action style on stderr: `Scaling dynos... done, now running web at 2`.
 * On failure the line ends with `!` and the error goes on to the error printer.
 */
export async function action<T>(io: Io, message: string, run: () => Promise<T>, done: (result: T) => string = () => 'done'): Promise<T> {
  io.stderr(`${message}... `);
  let result: T;
  try {
    result = await run();
  } catch (err) {
    io.stderr('!\n');
    throw err;
  }
  io.stderr(`${done(result)}\n`);
  return result;
}
