// The controller half of bench/controller/failover.ts: started by it inside the lab's wan
// namespace (`ip netns exec lb-wan`, LIFEBOAT_IN_LAB_NETNS=lb, as `lifeboat demo` starts its
// child). Builds the controller as `lifeboat serve` does (createController) on the lab plan, with
// app-db's onOutage set to `failover` and its probes tightened, in memory (the file is unchanged).
// Tells `ready` and the controller's outage / run / recovered / probe events as JSON lines on
// stdout; stops on SIGTERM or when its stdin ends (the bench gone).
// Also serves the API at <host:port> (wan's address), for the agents on a and b to renew app-db's
// fence lease, with an operator token it writes to <agent-token-file>.
// Usage (by the bench): failover-controller.ts <plan> <state> <intervalMs> <timeoutMs> <failures>
// <host:port> <agent-token-file> <fastIntervalMs>

import { writeFileSync } from 'node:fs';
import { createController } from '../../src/cli/compose/controller.js';
import { withOutagePolicy } from '../../src/cli/demo/options.js';
import type { LoadedPlan } from '../../src/core/plan/index.js';
import { newToken, tokenHash } from '../../src/server/auth.js';
import { createServer } from '../../src/server/index.js';

const [plan, state, interval, timeout, failures, listen, tokenFile, fast] = process.argv.slice(2);
if (!plan || !state || !interval || !timeout || !failures || !listen || !tokenFile || !fast) {
  process.stderr.write(
    'usage: failover-controller.ts <plan> <state> <interval> <timeout> <failures> <host:port> <agent-token-file> <fastInterval>\n',
  );
  process.exit(2);
}
const SERVICE = 'app-db';

/** onOutage failover, and every probe of the service at the bench's intervals/timeout/failures. */
function adjust(loaded: LoadedPlan): LoadedPlan {
  const l = withOutagePolicy(loaded, SERVICE, 'failover');
  const p = l.plan;
  const svc = p?.services?.[SERVICE];
  if (!p || !svc) return l;
  const health = (svc.health ?? []).map((h) => ({
    ...h,
    interval: Number(interval),
    fastInterval: Number(fast),
    timeout: Number(timeout),
    failures: Number(failures),
  }));
  return { ...l, plan: { ...p, services: { ...p.services, [SERVICE]: { ...svc, health } } } };
}

const write = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);
const composed = createController({
  plan,
  state,
  lab: 'lb',
  actor: 'bench-controller',
  watch: false,
  log: (line) => process.stderr.write(`bench controller: ${line}\n`),
  adjust,
});
const told = new Set(['outage', 'recovered', 'run', 'probe']);
let ready: boolean | undefined;
const unsubscribe = composed.controller.subscribe((e) => {
  if (told.has(e.event.type)) write({ type: 'event', at: e.at, event: e.event });
  // Whether a failover could start now: the bench waits for it before the fault.
  if (e.event.type === 'service' && e.event.service.name === SERVICE) {
    const r = e.event.service.readyToFailOver;
    if (r !== ready) write({ type: 'readiness', at: e.at, ready: r });
    ready = r;
  }
});
// The API, for the agents' lease renewals: an operator token for them, written where they read it.
const token = newToken();
await composed.store.tokens.create({
  name: 'bench-agent',
  role: 'operator',
  hash: tokenHash(token),
});
writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
const app = await createServer({
  controller: composed.controller,
  tokens: composed.store.tokens,
  leases: composed.leases,
  logger: false,
});
await composed.start();
const [host = '', port = ''] = listen.split(':');
await app.listen({ host, port: Number(port) });
const probes = composed.controller
  .plan()
  .services?.[SERVICE]?.health?.map(
    (h) => `${h.name}: ${h.interval}/${h.fastInterval}/${h.timeout}/${h.failures}`,
  );
write({ type: 'ready', probes });

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  unsubscribe();
  const force = setTimeout(() => process.exit(1), 10_000);
  void app
    .close()
    .catch(() => undefined)
    .then(() => composed.stop())
    .finally(() => {
      clearTimeout(force);
      process.exit(0);
    });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
