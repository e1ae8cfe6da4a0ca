// `rsync.sync` steps execute: the switchover of the lab plan's `mirror` service (files at a,
// mirrored to b) run by the engine over composeStepDrivers, with a fake environment standing for
// the lab's (rsync in the source node's namespace, the lab's sshd as the far end). RsyncDriver is
// the real one (its validation runs) with `sync` replaced, recording the config it was built with.
// Then the SSH environment: the plan's ssh settings of the target, refused unless Lifeboat runs
// on the source node.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DriverEnvironment, DriverFactory } from '../../../src/cli/compose/driver-factory.js';
import { labEnvironment, sshEnvironment } from '../../../src/cli/compose/environment.js';
import { composeStepDrivers } from '../../../src/cli/compose/step-drivers.js';
import { loadPlanFile } from '../../../src/cli/plan-files.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { deriveRunbook } from '../../../src/core/runbook/index.js';
import type { NodeRunner } from '../../../src/drivers/node-runner.js';
import type { RsyncConfig } from '../../../src/drivers/rsync/index.js';
import { Secret } from '../../../src/drivers/secrets.js';
import { Engine } from '../../../src/engine/index.js';
import { openSqliteStore } from '../../../src/store/index.js';

const built = vi.hoisted(() => [] as unknown[]);
vi.mock('../../../src/drivers/rsync/index.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../../src/drivers/rsync/index.js')>();
  class RecordingRsync extends m.RsyncDriver {
    constructor(c: RsyncConfig) {
      super(c);
      built.push(c);
    }
    override async sync() {
      return { changed: true, detail: `rsync push of ${this.target}: 3 files changed (fake)` };
    }
  }
  return { ...m, RsyncDriver: RecordingRsync };
});

const LAB_PLAN = resolve(import.meta.dirname, '../../../examples/lab/plan.yaml');
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-mirror-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid ed25519 public key (not any server's). */
function hostKey(): string {
  const raw = Buffer.from(
    generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string,
    'base64url',
  );
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}
const KEY = hostKey();

const ok: NodeRunner = {
  where: 'fake',
  run: async () => ({ code: 0, stdout: '', stderr: '', ms: 1 }) as never,
};

function labPlan(): Plan {
  const plan = loadPlanFile(LAB_PLAN).plan;
  if (!plan) throw new Error('examples/lab/plan.yaml is invalid');
  return plan;
}

/** The lab's environment as the CLI builds it, with the sshd login faked (no lab here). */
function fakeLabEnv(): DriverEnvironment {
  return {
    runnerFor: () => ok,
    localRunner: () => ok,
    secret: (ref) => new Secret('secret', ref),
    namespaceOf: (n) => `lb-${n}`,
    rsyncLocal: (n) => ({ namespace: `lb-${n}` }),
    rsyncRemote: (n) => ({
      node: n,
      host: '10.77.0.2',
      port: 22,
      user: 'root',
      hostKey: KEY,
      identity: new Secret('-----BEGIN OPENSSH PRIVATE KEY-----', 'file:/lab/ssh-client.key'),
    }),
  };
}

describe('rsync.sync in a run', () => {
  it('the switchover of `mirror` copies tree a → b over the lab sshd, rsync in a’s namespace; the run succeeds', async () => {
    built.length = 0;
    const plan = labPlan();
    const run = deriveRunbook(plan, 'switchover', 'mirror', {}).run;
    expect(run?.steps.map((s) => s.action)).toEqual(['rsync.sync', 'probe.verify']);
    const env = fakeLabEnv();
    const drivers = composeStepDrivers(plan, new DriverFactory(plan, env), env, dir);
    const store = openSqliteStore(join(dir, 'lab.db'));
    try {
      const engine = new Engine({ store, drivers, actor: 'alice', roles: {} });
      const outcome = await engine.start(run as NonNullable<typeof run>);
      expect(outcome).toMatchObject({ state: 'succeeded' });
      expect(built).toEqual([
        {
          dataSet: 'tree',
          direction: 'push',
          localPath: '/tmp/lifeboat-lab/lb/rsync/src',
          namespace: 'lb-a',
          remote: {
            kind: 'ssh',
            node: 'b',
            host: '10.77.0.2',
            port: 22,
            user: 'root',
            hostKey: KEY,
            identity: expect.any(Secret),
            path: '/tmp/lifeboat-lab/lb/rsync/dst-ssh',
          },
        },
      ]);
      const journal = await store.journal.read(outcome.runId);
      expect(
        journal.find((e) => e.stepId === 'mirror/wait-catch-up/mirror/tree' && e.phase === 'effect')
          ?.data,
      ).toMatchObject({ changed: true, detail: 'rsync push of tree: 3 files changed (fake)' });
    } finally {
      await drivers.close();
      await store.close();
    }
  });

  it('the driver is built once per copy and reused; a copy onto itself or of a database is refused', () => {
    built.length = 0;
    const plan = labPlan();
    const env = fakeLabEnv();
    const drivers = composeStepDrivers(plan, new DriverFactory(plan, env), env, dir);
    expect(drivers.mirror('mirror', 'tree', 'a', 'b')).toBe(
      drivers.mirror('mirror', 'tree', 'a', 'b'),
    );
    expect(built).toHaveLength(1);
    expect(() => drivers.mirror('mirror', 'tree', 'a', 'a')).toThrow(/LB_E_DRIVER_CONFIG|itself/);
    expect(() => drivers.mirror('app-db', 'pg', 'a', 'b')).toThrow(
      /rsync copies files and backups only/,
    );
  });

  it('the lab environment only copies to the node of its sshd (b)', () => {
    const plan = labPlan();
    const env = labEnvironment('lb');
    expect(() => new DriverFactory(plan, env).mirror('mirror', 'tree', 'b', 'a')).toThrow(
      /the lab runs sshd only at 10\.77\.0\.2 \(lb-b\)/,
    );
  });
});

describe('rsync.sync over SSH (production)', () => {
  beforeEach(() => vi.stubEnv('MIRROR_KEY', 'PRIVATE'));
  afterEach(() => vi.unstubAllEnvs());
  const plan = (sourceAddress: string): Plan => {
    const p = labPlan();
    return {
      ...p,
      nodes: {
        ...p.nodes,
        a: { ...(p.nodes?.a as object), address: sourceAddress } as never,
        b: {
          ...(p.nodes?.b as object),
          ssh: { user: 'mirror', port: 2222, hostKey: KEY, identity: 'env:MIRROR_KEY' },
        } as never,
      },
    };
  };

  it('this machine is the source: rsync runs here and logs in to b with the plan’s ssh settings', () => {
    built.length = 0;
    const p = plan('127.0.0.1');
    new DriverFactory(p, sshEnvironment(p)).mirror('mirror', 'tree', 'a', 'b');
    expect(built).toEqual([
      {
        dataSet: 'tree',
        direction: 'push',
        localPath: '/tmp/lifeboat-lab/lb/rsync/src',
        remote: {
          kind: 'ssh',
          node: 'b',
          host: '10.77.0.2',
          port: 2222,
          user: 'mirror',
          hostKey: KEY,
          identity: expect.any(Secret),
          path: '/tmp/lifeboat-lab/lb/rsync/dst-ssh',
        },
      },
    ]);
  });

  it('elsewhere: refused (it would push this machine’s directory), and so is a target without ssh', () => {
    const p = plan('192.0.2.77');
    expect(() =>
      new DriverFactory(p, sshEnvironment(p)).mirror('mirror', 'tree', 'a', 'b'),
    ).toThrow(
      /rsync copies from the machine Lifeboat runs on: run this step on `a` \(192\.0\.2\.77\)/,
    );
    const q = plan('192.0.2.77');
    expect(() =>
      new DriverFactory(q, sshEnvironment(q)).mirror('mirror', 'tree', 'b', 'a'),
    ).toThrow(/node `a` needs `ssh`/);
    // A node on loopback without `ssh` is this machine: no login needed to copy to it, and
    // the copy is still refused because it would start elsewhere (b).
    const l = plan('127.0.0.1');
    expect(sshEnvironment(l).isLocalNode?.('a')).toBe(true);
    expect(sshEnvironment(l).isLocalNode?.('b')).toBe(false);
    expect(() =>
      new DriverFactory(l, sshEnvironment(l)).mirror('mirror', 'tree', 'b', 'a'),
    ).toThrow(/rsync copies from the machine Lifeboat runs on: run this step on `b`/);
  });
});
