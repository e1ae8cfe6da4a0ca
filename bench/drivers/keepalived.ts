// VIP move a → b: the driver (priorities rewritten in the config files, SIGHUP, `ip addr` on both
// nodes until the VIP is on b only) against the same mechanism by hand: on each node (in the lab:
// inside its namespace, as the driver's NodeRunner does) `sed -i` on its config file and
// `kill -HUP`, then `ip -o addr show` polled on both nodes at the same 50 ms interval.
// VRRP's own master-down interval (3 × advert_int + skew, ~1.6 s in the lab) dominates both.
import { KeepalivedDriver } from '../../src/drivers/keepalived/index.js';
import { LocalNodeRunner } from '../../src/drivers/node-runner.js';
import { run } from '../../src/lab/exec.js';
import { type Lab, vipHolders } from '../../src/lab/index.js';
import type { BenchCase, BenchSuite } from './types.js';

const ctx = () => ({ signal: AbortSignal.timeout(30_000) });

async function byHand(lab: Lab, dir: string): Promise<void> {
  const step = async (site: 'a' | 'b', argv: string[]) => {
    const r = await run(['ip', 'netns', 'exec', lab.namespaces[site], ...argv], {
      timeoutMs: 10_000,
    });
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await step('b', ['sed', '-i', 's/^\\(\\s*priority\\s\\+\\)[0-9]\\+/\\1150/', `${dir}/b.conf`]);
  await step('b', ['kill', '-s', 'HUP', (await step('b', ['cat', `${dir}/b.pid`])).trim()]);
  await step('a', ['sed', '-i', 's/^\\(\\s*priority\\s\\+\\)[0-9]\\+/\\1100/', `${dir}/a.conf`]);
  await step('a', ['kill', '-s', 'HUP', (await step('a', ['cat', `${dir}/a.pid`])).trim()]);
  for (let i = 0; i < 400; i++) {
    const h = await vipHolders(lab.namespaces);
    if (h.length === 1 && h[0] === 'b') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the VIP never settled on b');
}

export const suite: BenchSuite = {
  components: ['keepalived'],
  async cases(lab) {
    const dir = lab.paths.component('keepalived');
    const ka = lab.endpoints().keepalived;
    const driver = new KeepalivedDriver({
      vip: `${ka.vip}/24`,
      interface: ka.interface,
      instance: 'lab',
      nodes: (['a', 'b'] as const).map((site) => ({
        name: site,
        runner: new LocalNodeRunner({ namespace: lab.namespaces[site] }),
        configFile: `${dir}/${site}.conf`,
        pidFile: `${dir}/${site}.pid`,
      })),
    });
    const move: BenchCase = {
      operation: 'keepalived VIP a → b (priorities + SIGHUP), until the VIP is on b only',
      baseline: 'on each node: sed -i priority, kill -HUP; ip -o addr show polling every 50 ms',
      prepare: async () => {
        await driver.switchTo(ctx(), 'a');
      },
      viaDriver: async () => {
        await driver.switchTo(ctx(), 'b');
      },
      viaCli: () => byHand(lab, dir),
    };
    return [move];
  },
};
