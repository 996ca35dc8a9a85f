/** One line of pre-receive's stdin. */
export interface RefUpdate {
  oldRev: string;
  newRev: string;
  ref: string;
}

export const ZERO_REV = /^0+$/;
export const DEPLOY_REFS = ['refs/heads/main', 'refs/heads/master'];

export function parseRefUpdates(text: string): RefUpdate[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [oldRev = '', newRev = '', ref = ''] = line.split(/\s+/);
      return { oldRev, newRev, ref };
    });
}

export type RefDecision = { kind: 'deploy'; update: RefUpdate } | { kind: 'reject'; message: string };

/**
 * Only main or master deploys, as on Heroku. Anything else is refused rather
 * than accepted and ignored, so that nobody thinks a branch push deployed.
 */
export function decideRefUpdates(updates: RefUpdate[]): RefDecision {
  const others = updates.filter((u) => !DEPLOY_REFS.includes(u.ref));
  if (others.length > 0) {
    const names = others.map((u) => u.ref.replace(/^refs\/heads\//, '')).join(', ');
    return { kind: 'reject', message: `Pushed to ${names}: only the main (or master) branch deploys. Push with: git push slipway HEAD:main` };
  }
  const deploys = updates.filter((u) => DEPLOY_REFS.includes(u.ref));
  if (deploys.length !== 1) return { kind: 'reject', message: 'Push either main or master, not both.' };
  const update = deploys[0]!;
  if (ZERO_REV.test(update.newRev)) return { kind: 'reject', message: `Deleting ${update.ref.replace('refs/heads/', '')} is not allowed: it is the deployed branch.` };
  return { kind: 'deploy', update };
}
