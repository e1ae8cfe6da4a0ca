// The events of one playbook run (from the callback's JSON lines), folded into what the driver
// reports: progress, the recap per host, and the verdict. Pure, tested.
import { LifeboatError } from '../../core/errors/index.js';
import { EVENT_PREFIX } from './callback-plugin.js';

export type AnsibleEvent =
  | { event: 'play'; name: string }
  | { event: 'task'; name: string; handler?: boolean }
  | { event: 'no_hosts' }
  | { event: 'ok'; host: string; task: string; changed: boolean }
  | { event: 'failed'; host: string; task: string; msg: string; ignored: boolean }
  | { event: 'unreachable'; host: string; task: string; msg: string }
  | { event: 'skipped'; host: string; task: string }
  | { event: 'stats'; hosts: Record<string, HostRecap> };

export interface HostRecap {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface RunState {
  plays: number;
  tasks: number;
  currentTask?: string;
  noHostsMatched: boolean;
  failures: Array<{ host: string; task: string; msg: string }>;
  unreachable: Array<{ host: string; task: string; msg: string }>;
  changed: Set<string>;
  recap?: Record<string, HostRecap>;
}

export function newRunState(): RunState {
  return {
    plays: 0,
    tasks: 0,
    noHostsMatched: false,
    failures: [],
    unreachable: [],
    changed: new Set(),
  };
}

/** One stdout line → an event, or undefined for anything else (warnings, module noise). */
export function parseEventLine(line: string): AnsibleEvent | undefined {
  if (!line.startsWith(EVENT_PREFIX)) return undefined;
  try {
    const e = JSON.parse(line.slice(EVENT_PREFIX.length)) as AnsibleEvent;
    return typeof e === 'object' && e !== null && typeof e.event === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

/** Folds an event in; returns a one-line progress message for it, when it deserves one. */
export function applyEvent(s: RunState, e: AnsibleEvent): string | undefined {
  switch (e.event) {
    case 'play':
      s.plays++;
      return `PLAY [${e.name}]`;
    case 'task':
      s.tasks++;
      s.currentTask = e.name;
      return `TASK [${e.name}]`;
    case 'no_hosts':
      s.noHostsMatched = true;
      return 'no hosts matched';
    case 'ok':
      if (e.changed) s.changed.add(e.host);
      return `${e.changed ? 'changed' : 'ok'}: ${e.host} [${e.task}]`;
    case 'failed':
      if (!e.ignored) s.failures.push({ host: e.host, task: e.task, msg: e.msg });
      return `failed${e.ignored ? ' (ignored)' : ''}: ${e.host} [${e.task}]`;
    case 'unreachable':
      s.unreachable.push({ host: e.host, task: e.task, msg: e.msg });
      return `unreachable: ${e.host} [${e.task}]`;
    case 'skipped':
      return undefined;
    case 'stats':
      s.recap = e.hosts;
      return undefined;
  }
}

const oneLine = (t: string) => t.replace(/\s+/g, ' ').trim().slice(0, 300);

/**
 * The verdict of a finished run: undefined when it succeeded, else the coded error. A task
 * failure wins over unreachability (it is the more specific), both over the exit status.
 */
export function verdict(
  s: RunState,
  exit: { code: number; stderr: string },
  what: string,
): LifeboatError | undefined {
  const [first, ...more] = s.failures;
  if (first) {
    const others =
      more.length > 0
        ? ` (and ${more.length} more: ${more
            .map((f) => `'${f.task}' on ${f.host}`)
            .slice(0, 5)
            .join(', ')})`
        : '';
    return new LifeboatError(
      'LB_E_ANSIBLE_TASK_FAILED',
      `${what}: task '${first.task}' failed on host ${first.host}: ${oneLine(first.msg) || 'no message'}${others}`,
      { details: { task: first.task, host: first.host, failures: s.failures.length } },
    );
  }
  const keyRefused = s.unreachable.find((u) =>
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(u.msg),
  );
  if (keyRefused) {
    return new LifeboatError(
      'LB_E_SSH_HOST_KEY_MISMATCH',
      `${what}: host ${keyRefused.host} did not present its pinned SSH host key; nothing ran there`,
      { details: { host: keyRefused.host } },
    );
  }
  if (s.unreachable.length > 0) {
    const hosts = [...new Set(s.unreachable.map((u) => u.host))];
    return new LifeboatError(
      'LB_E_ANSIBLE_HOST_UNREACHABLE',
      `${what}: host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')} unreachable: ${oneLine(s.unreachable[0]?.msg ?? '')}`,
      { details: { hosts } },
    );
  }
  if (
    /no hosts to target|no hosts matched/i.test(exit.stderr) ||
    (exit.code === 0 && noHostRan(s))
  ) {
    return new LifeboatError(
      'LB_E_ANSIBLE_NO_HOSTS',
      `${what}: the inventory and limit select no host, nothing was done`,
    );
  }
  if (exit.code !== 0) {
    const err = exit.stderr
      .split('\n')
      .filter((l) => /ERROR!|error/i.test(l))
      .slice(0, 3)
      .join(' ');
    return new LifeboatError(
      'LB_E_ANSIBLE_PLAYBOOK_ERROR',
      `${what}: ansible-playbook exited ${exit.code}${err ? `: ${oneLine(err)}` : ''}`,
      { details: { exit: exit.code } },
    );
  }
  return undefined;
}

function noHostRan(s: RunState): boolean {
  return s.noHostsMatched && (s.recap === undefined || Object.keys(s.recap).length === 0);
}
