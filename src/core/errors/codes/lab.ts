import { defineCodes } from '../code-info.js';

/** Codes of the two-site test lab (`lifeboat lab ...`, src/lab). */
export const LAB_CODES = defineCodes({
  LB_E_LAB_NOT_ROOT: {
    summary:
      'The lab needs root: it creates network namespaces, nftables rules and runs servers as their own users.',
    fix: 'Run the lab command as root (e.g. with sudo); unit tests do not need the lab.',
    retryable: false,
  },
  LB_E_LAB_USAGE: {
    summary:
      'A lab argument is not valid: an unknown component, server or site, or a bad lab name or directory.',
    fix: 'Run `lifeboat lab <command> --help` and use one of the names it lists.',
    retryable: false,
  },
  LB_E_LAB_TOOL_MISSING: {
    summary: 'A program the lab needs (a server or a system tool) is not installed.',
    fix: 'Run `lifeboat lab install` as root, then try again.',
    retryable: false,
  },
  LB_E_LAB_LOCKED: {
    summary: 'Another lab command is running against the same lab directory.',
    fix: 'Wait for it to finish, or use another lab name (--name); a lock left by a dead process is removed on its own.',
    retryable: true,
  },
  LB_E_LAB_NET: {
    summary:
      'The lab network (namespaces, bridge, veth pairs) could not be created or is half there.',
    fix: 'Run `lifeboat lab down` for this lab name, then `lifeboat lab up` again; the message names the failing `ip` command.',
    retryable: true,
  },
  LB_E_LAB_NOT_UP: {
    summary: 'The command needs the lab (or the named server) to be up, and it is not.',
    fix: 'Run `lifeboat lab up` (or `up --only <component>`) first, and check `lifeboat lab status`.',
    retryable: false,
  },
  LB_E_LAB_COMMAND_FAILED: {
    summary: 'A setup command of the lab (initdb, a client, nft, ...) failed or timed out.',
    fix: 'Read the output quoted in the message and the log it names, fix the cause, then run `lifeboat lab up` again.',
    retryable: true,
  },
  LB_E_LAB_START_TIMEOUT: {
    summary: 'A lab server did not become ready within its time limit.',
    fix: 'Read the log named in the message; on a slow machine run `lifeboat lab up` again, it starts only what is missing.',
    retryable: true,
  },
  LB_E_LAB_SERVER_EXITED: {
    summary: 'A lab server exited while it was starting.',
    fix: 'Read the last log lines quoted in the message and the log file it names; `lifeboat lab down` clears a broken lab.',
    retryable: false,
  },
  LB_E_LAB_PID_MISMATCH: {
    summary:
      'A recorded process ID now belongs to another process (its start time differs): it was not signalled.',
    fix: 'Nothing to kill: the server is already gone. Run `lifeboat lab status`, and `lifeboat lab up` to start it again.',
    retryable: false,
  },
  LB_E_LAB_TEARDOWN: {
    summary:
      'The lab could not remove everything it made (a process, a namespace or its directory).',
    fix: 'Run `lifeboat lab down` again; if it persists, the message names what is left and where.',
    retryable: true,
  },
  LB_E_LAB_STATE: {
    summary: "The lab's state file (lab.json) or a pid file could not be read or written.",
    fix: 'Check the lab directory (--dir) is writable by root; `lifeboat lab down` then `up` rebuilds it.',
    retryable: true,
  },
  LB_E_LAB_INSTALL: {
    summary: 'Installing the Debian packages of the lab failed.',
    fix: 'Run `apt-get update` and the `apt-get install` line quoted in the message by hand to see the cause.',
    retryable: true,
  },
});
