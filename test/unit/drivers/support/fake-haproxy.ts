// A simulated HAProxy runtime API behind a RuntimeTransport: servers with admin and operational
// states, health checks that run one step per `show servers state` (as time passes between polls),
// a map, and a log of every command line, so that unit tests can assert the order of a switch.
import type { RuntimeTransport } from '../../../../src/drivers/haproxy/runtime-api.js';

export interface FakeServer {
  id: number;
  address: string;
  /** 0 stopped, 1 starting, 2 running, 3 stopping. */
  op: number;
  /** srv_admin_state bits: 0x01 forced maint, 0x04 config-disabled, 0x08 forced drain. */
  admin: number;
  weight: number;
  initialWeight: number;
  /** undefined: no health check configured. */
  check?: { rise: number; fall: number; health: number; status: string; passes: boolean };
}

const STATE_HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';
const STAT_HEADER =
  '# pxname,svname,scur,status,weight,check_status,check_code,check_desc,check_rise,check_fall,check_health';

export class FakeHaproxy {
  readonly log: string[] = [];
  readonly maps = new Map<string, Map<string, string>>();
  /** Answer every command with this (e.g. "Permission denied"). */
  answerAll: string | undefined;

  constructor(
    readonly backend: string,
    readonly backendId: number,
    readonly servers: Map<string, FakeServer>,
  ) {}

  private maint(s: FakeServer): boolean {
    return (s.admin & 0x23) !== 0;
  }

  /** One health check of every checked server not in maint. */
  private tick(): void {
    for (const s of this.servers.values()) {
      const c = s.check;
      if (!c || this.maint(s)) continue;
      if (c.passes) {
        c.health = Math.min(c.rise + c.fall - 1, c.health + 1);
        c.status = 'L7OK';
        if (c.health >= c.rise) s.op = 2;
      } else {
        c.health = c.health > c.rise ? c.health - 1 : 0;
        c.status = 'L4CON';
        if (c.health < c.rise) s.op = 0;
      }
    }
  }

  private setState(s: FakeServer, state: string): void {
    const wasMaint = this.maint(s);
    if (state === 'maint') {
      s.admin = (s.admin | 0x01) & ~0x08;
      s.op = 0;
      return;
    }
    s.admin = state === 'drain' ? (s.admin & ~0x01) | 0x08 : s.admin & ~0x09;
    // Leaving maint, HAProxy marks a checked server up at health = rise before any check.
    if (wasMaint) {
      s.op = 2;
      if (s.check) s.check.health = s.check.rise;
    }
  }

  private stateLines(): string {
    const rows = [...this.servers].map(
      ([name, s]) =>
        `${this.backendId} ${this.backend} ${s.id} ${name} ${s.address} ${s.op} ${s.admin} ${s.weight} ${s.initialWeight} 5 15 3 ${s.check?.health ?? 0} ${s.check ? 6 : 0} 0 0 0 - 80 - 0 0 - - 0`,
    );
    return ['1', STATE_HEADER, ...rows, ''].join('\n');
  }

  private statLines(): string {
    const rows = [...this.servers].map(([name, s]) => {
      const m = this.maint(s);
      const c = s.check;
      const status = m
        ? 'MAINT'
        : !c
          ? 'no check'
          : s.op === 2
            ? s.admin & 0x08
              ? 'DRAIN'
              : 'UP'
            : 'DOWN';
      const checked = c && !m;
      return `${this.backend},${name},3,${status},${s.weight},${checked ? c.status : ''},,${checked ? 'desc' : ''},${checked ? c.rise : ''},${checked ? c.fall : ''},${checked ? c.health : ''}`;
    });
    return [STAT_HEADER, `${this.backend},BACKEND,0,UP,1,,,,,,`, ...rows, ''].join('\n');
  }

  private handle(line: string): string {
    const w = line.split(' ');
    if (line === `show servers state ${this.backend}`) {
      this.tick();
      return this.stateLines();
    }
    if (line === 'show servers state') return this.stateLines();
    if (line.startsWith('show servers state ')) return "Can't find backend.\n";
    if (line === `show stat ${this.backendId} 4 -1`) return this.statLines();
    const ref = (w[0] === 'shutdown' ? w[3] : w[2])?.split('/') ?? [];
    const srv = ref[0] === this.backend ? this.servers.get(ref[1] ?? '') : undefined;
    if (w[0] === 'set' && w[1] === 'server') {
      if (ref[0] !== this.backend) return 'No such backend.\n';
      if (!srv) return 'No such server.\n';
      if (w[3] === 'state') this.setState(srv, w[4] ?? '');
      else if (w[3] === 'weight') srv.weight = Number(w[4]);
      return '\n';
    }
    if (w[0] === 'shutdown') return srv ? '\n' : 'No such server.\n';
    const map = this.maps.get(w[2] ?? '');
    if (w[1] === 'map' && !map) return 'Unknown map identifier. Please use #<id> or <file>.\n';
    if (map && w[0] === 'show')
      return [...map].map(([k, v], i) => `0x55${i}00 ${k} ${v}\n`).join('');
    if (map && w[0] === 'set') {
      if (!map.has(w[3] ?? '')) return 'entry not found.\n';
      map.set(w[3] ?? '', w[4] ?? '');
      return '\n';
    }
    if (map && w[0] === 'add') {
      map.set(w[3] ?? '', w[4] ?? '');
      return '\n';
    }
    return 'Unknown command, but maybe one of the following ones is a better match:\n';
  }

  readonly transport: RuntimeTransport = async (_ctx, _endpoint, line) => {
    this.log.push(line);
    if (this.answerAll !== undefined) return this.answerAll;
    return this.handle(line);
  };

  /** The writes only (no `show`), in order. */
  writes(): string[] {
    return this.log.filter((l) => !l.startsWith('show '));
  }
}

/** The lab's `backend http`: a serving, b disabled (maint), both with `check inter 500ms fall 2 rise 1`. */
export function labBackend(): FakeHaproxy {
  const check = (passes: boolean, health: number) => ({
    rise: 1,
    fall: 2,
    health,
    status: 'L7OK',
    passes,
  });
  return new FakeHaproxy(
    'http',
    3,
    new Map([
      [
        'a',
        {
          id: 1,
          address: '10.77.0.1',
          op: 2,
          admin: 0,
          weight: 1,
          initialWeight: 1,
          check: check(true, 2),
        },
      ],
      [
        'b',
        {
          id: 2,
          address: '10.77.0.2',
          op: 0,
          admin: 5,
          weight: 1,
          initialWeight: 1,
          check: check(true, 0),
        },
      ],
    ]),
  );
}
