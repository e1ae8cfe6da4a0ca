// Parsers for the runtime API's answers: `show servers state <backend>` (numeric states, exact),
// `show stat <iid> 4 -1` (CSV with named columns: check status text, rise/fall) and `show map`.
import { LifeboatError } from '../../core/errors/index.js';

export type AdminState = 'ready' | 'drain' | 'maint';
export type OpState = 'stopped' | 'starting' | 'running' | 'stopping';

/** srv_admin_state bits (HAProxy's server.h): forced/inherited/resolution maintenance, drain. */
const ADMF_MAINT = 0x01 | 0x02 | 0x20;
const ADMF_DRAIN = 0x08 | 0x10;
const OP_STATES: readonly OpState[] = ['stopped', 'starting', 'running', 'stopping'];

export interface ServerState {
  backendId: number;
  backend: string;
  id: number;
  name: string;
  address: string;
  op: OpState;
  admin: AdminState;
  adminFlags: number;
  /** Current (user-set) weight; 0 takes no new traffic. */
  weight: number;
  initialWeight: number;
  checkHealth: number;
}

function protocol(why: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_PROTOCOL', `unexpected HAProxy answer: ${why}`);
}

/** `show servers state` (format version 1): one line per server after the `#` header. */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').map((l) => l.trim());
  if (lines[0] !== '1') throw protocol(`servers state format ${JSON.stringify(lines[0] ?? '')}`);
  const header = lines[1]?.replace(/^#\s*/, '').split(/\s+/) ?? [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw protocol(`servers state without column ${name}`);
    return i;
  };
  const idx = {
    beId: col('be_id'),
    be: col('be_name'),
    id: col('srv_id'),
    name: col('srv_name'),
    addr: col('srv_addr'),
    op: col('srv_op_state'),
    admin: col('srv_admin_state'),
    uw: col('srv_uweight'),
    iw: col('srv_iweight'),
    health: col('srv_check_health'),
  };
  return lines
    .slice(2)
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const f = l.split(/\s+/);
      const num = (i: number) => {
        const v = Number(f[i]);
        if (!Number.isInteger(v)) throw protocol(`non-numeric field in ${JSON.stringify(l)}`);
        return v;
      };
      const flags = num(idx.admin);
      return {
        backendId: num(idx.beId),
        backend: f[idx.be] ?? '',
        id: num(idx.id),
        name: f[idx.name] ?? '',
        address: f[idx.addr] ?? '',
        op: OP_STATES[num(idx.op)] ?? 'stopped',
        admin: flags & ADMF_MAINT ? 'maint' : flags & ADMF_DRAIN ? 'drain' : 'ready',
        adminFlags: flags,
        weight: num(idx.uw),
        initialWeight: num(idx.iw),
        checkHealth: num(idx.health),
      };
    });
}

export interface ServerStat {
  name: string;
  /** `UP`, `DOWN`, `MAINT`, `DRAIN`, `no check`, `UP 1/2`... */
  status: string;
  /** `L7OK`, `L4CON`, `L7STS`...; empty when the server has no health check. */
  checkStatus: string;
  checkCode: string;
  checkDesc: string;
  rise: number | undefined;
  fall: number | undefined;
  /** Current sessions (changes all the time: not an observation fact). */
  sessions: number;
}

/** `show stat <iid> 4 -1`: CSV with a `# pxname,svname,...` header; only server rows. */
export function parseStat(text: string): ServerStat[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const need = ['svname', 'status', 'check_status', 'scur'];
  for (const c of need) if (col(c) < 0) throw protocol(`stat without column ${c}`);
  const intOrUndef = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => !['FRONTEND', 'BACKEND'].includes(f[col('svname')] ?? ''))
    .map((f) => ({
      name: f[col('svname')] ?? '',
      status: f[col('status')] ?? '',
      checkStatus: (f[col('check_status')] ?? '').replace(/^\* /, ''),
      checkCode: f[col('check_code')] ?? '',
      checkDesc: f[col('check_desc')] ?? '',
      rise: intOrUndef(f[col('check_rise')]),
      fall: intOrUndef(f[col('check_fall')]),
      sessions: Number(f[col('scur')] ?? 0) || 0,
    }));
}

/** `show map <file>`: `0x55d... key value` per entry. */
export function parseMap(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^0x[0-9a-f]+\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined) out.set(m[1], (m[2] ?? '').trim());
  }
  return out;
}

/** What a health check says about a server, for the switch's readiness decision. */
export type Readiness = 'up' | 'down' | 'unchecked' | 'untested';

/**
 * Leaving maintenance, HAProxy marks a checked server up with health = rise, before any check
 * ran; its last check status is the one from before the maintenance. So a server is proven up
 * only once its health rose above `rise` (a check passed since), or, if `fall` is 1 and health
 * cannot rise, once the caller has waited long enough (`settled`).
 */
export function readiness(
  s: ServerState,
  stat: ServerStat | undefined,
  settled: boolean,
): Readiness {
  // No rise/fall column: the server has no health check (HAProxy leaves it empty).
  if (!stat || stat.rise === undefined) return 'unchecked';
  if (s.op === 'stopped' || s.op === 'stopping') return 'down';
  const max = stat.rise + (stat.fall ?? 1) - 1;
  if (s.checkHealth > stat.rise || (max === stat.rise && settled)) return 'up';
  return 'untested';
}
