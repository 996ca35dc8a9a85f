/** A failed stage. The message is already shown to the pusher when `reported` is true. */
export class BuildError extends Error {
  readonly stage: string;
  readonly reported: boolean;
  constructor(stage: string, message: string, reported = false) {
    super(message);
    this.name = 'BuildError';
    this.stage = stage;
    this.reported = reported;
  }
}
