// `lifeboat demo`'s pure parts: options, the --auto policy override in memory, and the lines
// told from the controller's events. The demo as a whole runs in the lab (test/lab/demo.test.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import {
  DEMO_COMPONENTS,
  type DemoRawOptions,
  EventTeller,
  parseDemoMessage,
  parseDemoOptions,
  withOutagePolicy,
} from '../../../src/cli/demo/options.js';
import { loadPlanFile } from '../../../src/cli/plan-files.js';
import { runCli } from '../../../src/cli/program.js';

const raw = (over: Partial<DemoRawOptions> = {}): DemoRawOptions => ({
  plan: 'examples/lab/plan.yaml',
  listen: '127.0.0.1:8480',
  lab: 'lb',
  faultAfter: '20s',
  fault: true,
  tokenName: 'carol',
  ...over,
});

describe('demo options', () => {
  it('defaults: 127.0.0.1:8480, a fault after 20 s, propose, every component the plan uses', () => {
    const o = parseDemoOptions(raw());
    expect(o.listen).toEqual({ host: '127.0.0.1', port: 8480 });
    expect(o.faultAfterMs).toBe(20_000);
    expect(o.auto).toBe(false);
    expect(o.install).toBe(true);
    for (const c of DEMO_COMPONENTS) expect(o.components).toContain(c);
    // What the components require comes with them (haproxy needs http, rsync needs ssh).
    expect(o.components).toEqual(expect.arrayContaining(['http', 'ssh']));
  });

  it('fast options for tests, --no-fault, --auto, --listen with port 0 and IPv6', () => {
    expect(parseDemoOptions(raw({ faultAfter: '2s' })).faultAfterMs).toBe(2000);
    expect(parseDemoOptions(raw({ faultAfter: '0' })).faultAfterMs).toBe(0);
    expect(parseDemoOptions(raw({ fault: false })).faultAfterMs).toBeUndefined();
    expect(parseDemoOptions(raw({ auto: true })).auto).toBe(true);
    expect(parseDemoOptions(raw({ skipInstall: true })).install).toBe(false);
    expect(parseDemoOptions(raw({ listen: '0.0.0.0:0' })).listen).toEqual({
      host: '0.0.0.0',
      port: 0,
    });
    expect(parseDemoOptions(raw({ listen: '[::1]:9000' })).listen).toEqual({
      host: '::1',
      port: 9000,
    });
  });

  it('app-db’s servers are always started, whatever --components says', () => {
    const o = parseDemoOptions(raw({ components: 'mariadb' }));
    expect(o.components).toEqual(
      expect.arrayContaining(['postgres', 'haproxy', 'bind', 'mariadb']),
    );
    expect(o.components).not.toContain('keepalived');
  });

  it('refuses bad input with LB_E_CLI_USAGE', () => {
    for (const bad of [
      { faultAfter: '20' },
      { faultAfter: 'soon' },
      { faultAfter: '2h' },
      { listen: '8480' },
      { listen: 'localhost:99999' },
      { components: 'postgres,nosuch' },
      { tokenName: 'carol smith' },
    ])
      expect(() => parseDemoOptions(raw(bad)), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'LB_E_CLI_USAGE' }),
      );
  });

  it('the command refuses a bad --fault-after before touching anything (exit 2)', async () => {
    const err: string[] = [];
    const code = await runCli(COMMANDS, ['demo', '--fault-after', 'later'], {
      out: () => undefined,
      err: (t) => err.push(t),
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/LB_E_CLI_USAGE.*--fault-after "later"/);
  });
});

describe('--auto: the lab plan’s policy overridden in memory', () => {
  const loaded = loadPlanFile(join(process.cwd(), 'examples/lab/plan.yaml'));

  it('sets app-db’s onOutage to failover and nothing else; the loaded plan is not changed', () => {
    expect(loaded.plan?.services?.['app-db']?.onOutage).toBe('propose');
    const before = JSON.stringify(loaded.plan);
    const changed = withOutagePolicy(loaded, 'app-db', 'failover');
    expect(changed.plan?.services?.['app-db']?.onOutage).toBe('failover');
    expect(JSON.stringify(loaded.plan)).toBe(before);
    const { 'app-db': a, ...others } = changed.plan?.services ?? {};
    const { 'app-db': b, ...othersBefore } = loaded.plan?.services ?? {};
    expect(others).toEqual(othersBefore);
    expect({ ...a, onOutage: b?.onOutage }).toEqual(b);
    expect(changed.files).toBe(loaded.files);
  });

  it('refuses a plan without the service', () => {
    expect(() => withOutagePolicy(loaded, 'nosuch', 'failover')).toThrow(/no service `nosuch`/);
  });
});

describe('what the demo tells from the controller’s events', () => {
  const outage = (action: string, runId?: string) => ({
    type: 'outage' as const,
    service: 'app-db',
    outage: {
      site: 'a',
      confirmedBy: ['controller', 'witness'],
      action,
      ...(runId ? { runId } : {}),
    },
  });

  it('an outage once, then the proposed run with how to approve it', () => {
    const t = new EventTeller({ approveCommand: (r, s) => `lifeboat approve ${r} ${s}` });
    expect(t.tell(outage('detected'))).toEqual([
      'outage of app-db at site a detected (confirmed by controller, witness)',
    ]);
    expect(t.tell(outage('proposed', 'r1'))).toEqual([
      'app-db: failover proposed, run r1 waits for an approval — approve it in the dashboard, or: lifeboat approve r1 app-db/approve-run',
    ]);
    expect(t.tell(outage('proposed', 'r1'))).toEqual([]);
  });

  it('a proposed outage seen first still says it was detected; --auto has no shell command', () => {
    const t = new EventTeller();
    expect(t.tell(outage('failing-over', 'r2'))).toEqual([
      'outage of app-db at site a detected (confirmed by controller, witness)',
      'app-db: failover started (onOutage failover), run r2',
    ]);
    expect(new EventTeller().tell(outage('proposed', 'r3'))[1]).toBe(
      'app-db: failover proposed, run r3 waits for an approval — approve it in the dashboard',
    );
  });

  it('each change of a run’s state, the end as finished; the active site when it moves', () => {
    const t = new EventTeller();
    const run = (state: string, message = '') => ({
      type: 'run' as const,
      runId: 'r1',
      service: 'app-db',
      runbook: 'failover',
      state,
      message,
    });
    expect(t.tell(run('waiting-approval'))).toEqual(['run r1 (failover app-db) waiting-approval']);
    expect(t.tell(run('waiting-approval'))).toEqual([]);
    expect(t.tell(run('running'))).toEqual(['run r1 (failover app-db) running']);
    expect(t.tell(run('running'))).toEqual([]);
    expect(t.tell(run('succeeded', '7 steps'))).toEqual([
      'run r1 (failover app-db) finished: succeeded: 7 steps',
    ]);
    const svc = (activeSite: string) => ({
      type: 'service' as const,
      service: { name: 'app-db', activeSite },
    });
    expect(t.tell(svc('a'))).toEqual([]);
    expect(t.tell(svc('a'))).toEqual([]);
    expect(t.tell(svc('b'))).toEqual(['app-db is now active at site b (was a)']);
  });

  it('a recovery, and a later outage of the same site told again', () => {
    const t = new EventTeller();
    t.tell(outage('detected'));
    expect(t.tell({ type: 'recovered', service: 'app-db', site: 'a' })).toEqual([
      'app-db: the outage at site a is over',
    ]);
    expect(t.tell(outage('detected'))).toHaveLength(1);
  });

  it('reads the child’s JSON lines, ignores anything else', () => {
    expect(parseDemoMessage('{"type":"ready","services":6,"stateFile":"/s"}')).toEqual({
      type: 'ready',
      services: 6,
      stateFile: '/s',
    });
    expect(parseDemoMessage('lifeboat: something')).toBeUndefined();
    expect(parseDemoMessage('{"type":"other"}')).toBeUndefined();
    expect(parseDemoMessage('{broken')).toBeUndefined();
  });
});

describe('createController’s adjust hook (what --auto uses)', () => {
  it('the controller runs the adjusted plan; the file stays propose', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createController } = await import('../../../src/cli/compose/controller.js');
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-demo-'));
    const c = createController({
      plan: join(process.cwd(), 'examples/lab/plan.yaml'),
      state: join(dir, 'state.db'),
      watch: false,
      log: () => undefined,
      adjust: (l) => withOutagePolicy(l, 'app-db', 'failover'),
    });
    try {
      expect(c.controller.service('app-db')?.onOutage).toBe('failover');
      expect(c.controller.service('dlrn-db')?.onOutage).toBe('propose');
      expect(c.controller.plan().services?.['app-db']?.onOutage).toBe('failover');
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the API on a Unix socket (the demo’s child listens on one)', () => {
  it('a dashboard login works without a client IP; refusals share one rate-limit key', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { request } = await import('node:http');
    const { harness } = await import('../server/helpers.js');
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-demo-sock-'));
    const socketPath = join(dir, 'api.sock');
    const h = await harness();
    await h.app.listen({ path: socketPath });
    const login = (token: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ token });
        const r = request(
          {
            socketPath,
            path: '/api/v1/session/login',
            method: 'POST',
            headers: {
              host: '127.0.0.1:8480',
              origin: 'http://127.0.0.1:8480',
              'content-type': 'application/json',
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => {
              text += d.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        r.on('error', reject);
        r.end(body);
      });
    try {
      const ok = await login(h.tokens.approver);
      expect(ok.status, ok.body).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ name: 'approver', role: 'approver' });
      const audit = await h.fake.store.audit.read({ limit: 10 });
      expect(audit.find((e) => e.action === 'api.login')?.data).toMatchObject({
        address: 'unix-socket',
      });
      for (let i = 0; i < 5; i++) expect((await login('lbt_wrong')).status).toBe(401);
      expect((await login('lbt_wrong')).status).toBe(429);
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
