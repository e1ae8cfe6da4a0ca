// HAProxy switch and read-only mode: the driver (node:net to the runtime socket, in-process)
// against `socat` to the same socket, the operator's tool, each ending with `show servers state`
// (or `show map`) saying the change is in place. The driver re-reads the backend before and
// after, and, for a standby in maint, waits for one health check of the new server before it
// sends traffic there: the first case measures that safety wait, the second has none to make.
import { spawn } from 'node:child_process';
import { HaproxyDriver } from '../../src/drivers/haproxy/index.js';
import type { BenchCase, BenchSuite } from './types.js';

const ctx = () => ({ signal: AbortSignal.timeout(20_000) });

/** `echo <line> | socat - UNIX-CONNECT:<socket>`: one command, one process, as by hand. */
function socat(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('socat', ['-', `UNIX-CONNECT:${socket}`], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`socat exited ${code}`)),
    );
    p.stdin.end(`${line}\n`);
  });
}

export const suite: BenchSuite = {
  components: ['haproxy'],
  async cases(lab) {
    const hp = lab.endpoints().haproxy;
    const sock = hp.runtime.socket;
    const driver = new HaproxyDriver({
      backend: 'http',
      servers: { 'node-a': 'a', 'node-b': 'b' },
      runtime: { socket: sock },
      readOnly: { map: hp.readOnlyMap },
    });
    const cli = (line: string) => socat(sock, line);
    const bReadyAMaint = async () => {
      for (let i = 0; i < 200; i++) {
        const s = await cli('show servers state http');
        // srv_admin_state: 0 or 4 (config-disabled bit only) = ready; a in forced maint (1 or 5).
        if (/ http \d+ b \S+ 2 [04] /.test(s) && / http \d+ a \S+ \d+ [15] /.test(s)) return;
      }
      throw new Error('b never became the ready server');
    };
    const cliSwitch = async () => {
      await cli('set server http/b state ready');
      await cli('set server http/a state maint');
      await cli('shutdown sessions server http/a');
      await bReadyAMaint();
    };
    const fromMaint: BenchCase = {
      operation: 'HAProxy backend a → b, standby in maint (driver waits for one health check of b)',
      baseline: 'socat: set server b ready, a maint, shutdown sessions; show servers state',
      prepare: async () => {
        await driver.switchTo(ctx(), 'node-a');
      },
      viaDriver: async () => {
        await driver.switchTo(ctx(), 'node-b');
      },
      viaCli: cliSwitch,
    };
    const fromDrain: BenchCase = {
      operation: 'HAProxy backend a → b, standby in drain (health already known)',
      baseline: 'socat: set server b ready, a maint, shutdown sessions; show servers state',
      prepare: async () => {
        await driver.switchTo(ctx(), 'node-a');
        await cli('set server http/b state drain');
        await new Promise((r) => setTimeout(r, 1200)); // two check intervals: b's health is known
      },
      viaDriver: async () => {
        await driver.switchTo(ctx(), 'node-b');
      },
      viaCli: cliSwitch,
    };
    const readOnly: BenchCase = {
      operation: 'HAProxy frontend read-only (set map ro.map mode ro)',
      baseline: 'socat: set map … mode ro; show map',
      prepare: async () => {
        await driver.setReadOnly(ctx(), false);
      },
      viaDriver: async () => {
        await driver.setReadOnly(ctx(), true);
      },
      viaCli: async () => {
        await cli(`set map ${hp.readOnlyMap} mode ro`);
        if (!/ mode ro$/m.test(await cli(`show map ${hp.readOnlyMap}`)))
          throw new Error('map not ro');
      },
    };
    return [fromMaint, fromDrain, readOnly];
  },
};
