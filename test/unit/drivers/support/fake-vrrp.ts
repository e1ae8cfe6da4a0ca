// Simulated keepalived nodes behind fake NodeRunners: config files, PID files, and a VRRP pair
// whose master follows the priorities a few polls after a SIGHUP (preempt), as the lab's does.
import { readInstance } from '../../../../src/drivers/keepalived/index.js';
import type { NodeRunner, NodeRunOptions } from '../../../../src/drivers/node-runner.js';

/** A keepalived.conf like the lab's, with `priority` on line 9. */
export const conf = (prio: number, extra = '') => `global_defs {
  router_id lab_x
  vrrp_version 3
}
vrrp_instance lab {
  state BACKUP
  interface eth0
  virtual_router_id 77
  priority ${prio}  # set by lifeboat
  advert_int 0.5
${extra}  virtual_ipaddress {
    10.77.0.100/24 dev eth0
  }
  track_script {
    chk
  }
}
`;

export class FakeVrrp {
  readonly files = new Map<string, string>();
  readonly calls: { node: string; argv: string[] }[] = [];
  holders = new Set<string>(['a']);
  /** Polls of `ip addr` left before the VRRP election settles. */
  private settleIn = 0;
  preempt = true;

  constructor() {
    this.files.set('/etc/ka/a.conf', conf(150));
    this.files.set('/etc/ka/b.conf', conf(100));
    this.files.set('/run/ka/a.pid', '4001\n');
    this.files.set('/run/ka/b.pid', '4002\n');
    this.files.set('/proc/4001/comm', 'keepalived\n');
    this.files.set('/proc/4002/comm', 'keepalived\n');
  }

  private elect(): void {
    if (!this.preempt) return;
    const prio = (n: string) =>
      readInstance(this.files.get(`/etc/ka/${n}.conf`) ?? '', 'lab', n).priority;
    this.holders = new Set([prio('a') >= prio('b') ? 'a' : 'b']);
  }

  runner(node: string, unreachable = false): NodeRunner {
    return {
      where: `fake ${node}`,
      run: async (argv: string[], opts: NodeRunOptions) => {
        this.calls.push({ node, argv });
        if (opts.signal.aborted)
          throw Object.assign(new Error('aborted'), { code: 'LB_E_DRIVER_ABORTED' });
        if (unreachable) return { code: 255, stdout: '', stderr: 'Cannot open network namespace' };
        const [cmd, ...rest] = argv;
        if (cmd === 'ip') {
          if (this.settleIn > 0 && --this.settleIn === 0) this.elect();
          const vip = this.holders.has(node)
            ? `2: eth0    inet 10.77.0.100/24 scope global secondary eth0\\n`
            : '';
          return {
            code: 0,
            stdout: `2: eth0    inet 10.77.0.${node === 'a' ? 1 : 2}/24 scope global eth0\\n${vip}`,
            stderr: '',
          };
        }
        if (cmd === 'cat') {
          const f = this.files.get(rest[1] ?? '');
          return f === undefined
            ? { code: 1, stdout: '', stderr: 'No such file' }
            : { code: 0, stdout: f, stderr: '' };
        }
        if (cmd === 'sed') {
          const m = /^(\d+)s\/.*\)(\d+)\(\[\^0-9\]\|\$\)\/\\1(\d+)\\2\/w \/dev\/stdout$/.exec(
            rest[3] ?? '',
          );
          const file = rest[5] ?? '';
          const lines = (this.files.get(file) ?? '').split('\n');
          const at = Number(m?.[1]) - 1;
          const re = new RegExp(`^(\\s*priority\\s+)${m?.[2]}(?!\\d)`);
          if (!m || !re.test(lines[at] ?? '')) return { code: 0, stdout: '', stderr: '' };
          lines[at] = (lines[at] as string).replace(re, `$1${m[3]}`);
          this.files.set(file, lines.join('\n'));
          return { code: 0, stdout: `${lines[at]}\n`, stderr: '' };
        }
        if (cmd === 'pkill') {
          const pid = (this.files.get(argv[argv.indexOf('--pidfile') + 1] ?? '') ?? '').trim();
          if (this.files.get(`/proc/${pid}/comm`)?.trim() !== argv.at(-1))
            return { code: 1, stdout: '', stderr: '' };
          this.settleIn = 4;
          return { code: 0, stdout: '', stderr: '' };
        }
        return { code: 127, stdout: '', stderr: `${cmd}: not found` };
      },
    };
  }
}
