// Running as another Unix user on the node: `runuser` when we are root (no password, no PAM
// prompt), else `sudo -n` (fails instead of asking). Both take `--` before the command.
import { safeName } from '../safe-values.js';

/** argv prefix that runs the rest as `user`, or nothing when we already are that user. */
export function switchUserPrefix(
  user: string | undefined,
  self: { name?: string; isRoot: boolean },
): string[] {
  if (user === undefined || user === self.name) return [];
  safeName(user, 'the Unix user');
  if (user === 'root' && self.isRoot) return [];
  return self.isRoot ? ['runuser', '-u', user, '--'] : ['sudo', '-n', '-u', user, '--'];
}
