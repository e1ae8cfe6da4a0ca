// Parsers on answers captured from HAProxy 2.6 (the lab's), the pure switch plan over every
// combination of server states, readiness after maint, and the map file rewrite.
import { describe, expect, it } from 'vitest';
import {
  commandLine,
  currentDestination,
  mapFileWith,
  parseMap,
  parseServersState,
  parseStat,
  planSwitch,
  readiness,
  type ServerState,
} from '../../../src/drivers/haproxy/index.js';

const STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 http 1 a 10.77.0.1 2 0 1 1 281 15 3 2 6 0 0 0 - 8080 - 0 0 - - 0
3 http 2 b 10.77.0.2 0 5 1 1 281 15 3 0 14 0 0 0 - 8080 - 0 0 - - 0
`;
const STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo
http,a,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,1,281,1,,1,3,1,,0,,2,0,,0,L7OK,200,6,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,1,2,2,,,,10.77.0.1:8080,,http,
http,b,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,0,3,281,281,,1,3,2,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,10.77.0.2:8080,,http,
`;

describe('HAProxy answers', () => {
  it('parses show servers state', () => {
    const [a, b] = parseServersState(STATE);
    expect(a).toMatchObject({
      backendId: 3,
      backend: 'http',
      name: 'a',
      op: 'running',
      admin: 'ready',
      weight: 1,
      checkHealth: 2,
    });
    // 5 = forced maint + disabled in the config; leaving maint keeps only the config bit (4).
    expect(b).toMatchObject({ name: 'b', op: 'stopped', admin: 'maint', adminFlags: 5 });
    expect(parseServersState(STATE.replace(' 0 5 1 1', ' 2 4 1 1'))[1]?.admin).toBe('ready');
    expect(parseServersState(STATE.replace(' 0 5 1 1', ' 2 12 1 1'))[1]?.admin).toBe('drain');
  });

  it('refuses an answer of another format', () => {
    expect(() => parseServersState('2\n# be_id\n')).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_PROTOCOL' }),
    );
    expect(() => parseServersState('1\n# be_name srv_name\n')).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_PROTOCOL' }),
    );
    expect(() => parseStat('# pxname,svname\nx,y\n')).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_PROTOCOL' }),
    );
  });

  it('parses show stat: check status, rise and fall; none for a server in maint', () => {
    const [a, b] = parseStat(STAT);
    expect(a).toMatchObject({
      name: 'a',
      status: 'UP',
      checkStatus: 'L7OK',
      checkCode: '200',
      checkDesc: 'Layer7 check passed',
      rise: 1,
      fall: 2,
    });
    expect(b).toMatchObject({ name: 'b', status: 'MAINT', checkStatus: '', rise: undefined });
  });

  it('parses show map', () => {
    expect(parseMap('0x5610def78940 mode rw\n0x5610def78a00 other ro\n')).toEqual(
      new Map([
        ['mode', 'rw'],
        ['other', 'ro'],
      ]),
    );
    expect(parseMap('\n')).toEqual(new Map());
  });

  it('joins tokens into one command and refuses what could split it', () => {
    expect(
      commandLine([
        { word: 'set' },
        { word: 'server' },
        { server: ['http', 'b'] },
        { word: 'state' },
        { word: 'ready' },
      ]),
    ).toBe('set server http/b state ready');
    for (const bad of ['b;id', 'b c', 'b\nshow info', '-b', '']) {
      expect(() => commandLine([{ server: ['http', bad] }])).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
    }
    expect(() => commandLine([{ path: '/run/ro map' }])).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });
});

const srv = (
  name: string,
  admin: ServerState['admin'],
  weight = 1,
  op: ServerState['op'] = 'running',
): ServerState => ({
  backendId: 3,
  backend: 'http',
  id: 1,
  name,
  address: '10.0.0.1',
  op,
  admin,
  adminFlags: 0,
  weight,
  initialWeight: 3,
  checkHealth: 2,
});
const servers = new Map([
  ['node-a', 'a'],
  ['node-b', 'b'],
]);

describe('switch plan', () => {
  const admins: ServerState['admin'][] = ['ready', 'drain', 'maint'];
  for (const ta of admins)
    for (const oa of admins)
      for (const tw of [0, 1]) {
        it(`target ${ta} (weight ${tw}), other ${oa}`, () => {
          const p = planSwitch([srv('a', oa), srv('b', ta, tw)], servers, 'node-b', 'http');
          expect(p.leaveMaint).toBe(ta === 'maint');
          expect(p.setReady).toBe(ta !== 'ready');
          expect(p.restoreWeight).toBe(tw === 0 ? 3 : undefined);
          expect(p.toMaint).toEqual(oa === 'maint' ? [] : ['a']);
          expect(p.already).toBe(ta === 'ready' && tw === 1 && oa === 'maint');
        });
      }

  it('ignores servers of the backend that the plan does not name', () => {
    const p = planSwitch(
      [srv('a', 'maint'), srv('b', 'ready'), srv('spare', 'ready')],
      servers,
      'node-b',
      'http',
    );
    expect(p.already).toBe(true);
  });

  it('current: the one configured server that is ready with weight', () => {
    expect(currentDestination([srv('a', 'ready'), srv('b', 'maint')], servers)).toBe('node-a');
    expect(currentDestination([srv('a', 'ready'), srv('b', 'ready')], servers)).toBeUndefined();
    expect(currentDestination([srv('a', 'ready', 0), srv('b', 'drain')], servers)).toBeUndefined();
  });
});

describe('readiness after maint', () => {
  const stat = (rise: number | undefined, fall = 2) => ({
    name: 'b',
    status: 'UP',
    checkStatus: 'L7OK',
    checkCode: '',
    checkDesc: '',
    rise,
    fall,
    sessions: 0,
  });
  const at = (health: number, op: ServerState['op'] = 'running') => ({
    ...srv('b', 'drain', 1, op),
    checkHealth: health,
  });
  it('is untested at health = rise (HAProxy has not checked it since maint), up above', () => {
    expect(readiness(at(1), stat(1), false)).toBe('untested');
    expect(readiness(at(2), stat(1), false)).toBe('up');
  });
  it('is down when HAProxy stopped it, unchecked without a check', () => {
    expect(readiness(at(0, 'stopped'), stat(1), false)).toBe('down');
    expect(readiness(at(0), stat(undefined), false)).toBe('unchecked');
  });
  it('with fall 1 health cannot rise: up once settled', () => {
    expect(readiness(at(3), stat(3, 1), false)).toBe('untested');
    expect(readiness(at(3), stat(3, 1), true)).toBe('up');
  });
});

describe('map file rewrite', () => {
  it('sets the key, keeps other lines and comments', () => {
    expect(mapFileWith('# lab\nmode rw\nother x\n', 'mode', 'ro')).toBe(
      '# lab\nmode ro\nother x\n',
    );
    expect(mapFileWith('', 'mode', 'ro')).toBe('mode ro\n');
    expect(mapFileWith('other x', 'mode', 'ro')).toBe('other x\nmode ro\n');
  });
});
