// A process that runs the real engine on the lab (the lab plan, the default lab `lb`, its real
// drivers), for the lab's kill -9 test. Run it inside the lab's wan namespace
// (`ip netns exec lb-wan`), with LIFEBOAT_IN_LAB_NETNS=lb. Modes:
//   start <runId> <killAt> <from> <to>   derives `failover app-db --from --to` and runs it as
//                                        <runId>; SIGKILLs itself right after journal entry
//                                        number <killAt> is durable (0: never)
//   resume <runId>                       resumes <runId>
//   rebuild <node> <source>              makes <node> a streaming replica of <source>
// Prints the outcome as JSON; exit 1 unless it succeeded.
import { join } from 'node:path';
import { openSession } from '../../src/cli/run-session.js';
import { deriveRunbook } from '../../src/core/runbook/index.js';
import { isReplicating } from '../../src/drivers/driver.js';

const PLAN = join(import.meta.dirname, '..', '..', 'examples', 'lab', 'plan.yaml');
const [state, mode, runId, killAtText] = process.argv.slice(2) as [string, string, string, string];
const s = openSession({ plan: PLAN, state, lab: 'lb' });
const killAt = mode === 'start' ? Number(killAtText) : 0;
const append = s.store.journal.append.bind(s.store.journal);
s.store.journal.append = async (...args) => {
  const entry = await append(...args);
  if (entry.seq === killAt) process.kill(process.pid, 'SIGKILL');
  return entry;
};
let outcome: unknown;
try {
  if (mode === 'start') {
    const [from, to] = process.argv.slice(6);
    const d = deriveRunbook(s.plan, 'failover', 'app-db', { from, to });
    if (!d.run) throw new Error(`cannot derive the failover: ${JSON.stringify(d.diagnostics)}`);
    outcome = await s.engine.start(d.run, { runId });
  } else if (mode === 'resume') outcome = await s.engine.resume(runId, s.planHash);
  else {
    const [node, source] = [runId, killAtText];
    const db = s.drivers.database('app-db', 'pg', node);
    if (!isReplicating(db)) throw new Error(`the driver of ${node} cannot rebuild`);
    const ctx = { signal: AbortSignal.timeout(120_000) };
    const r = await db.rebuildAsReplicaOf(ctx, s.drivers.replicaSource('app-db', 'pg', source));
    outcome = { state: 'succeeded', message: r.detail };
  }
} finally {
  await s.close();
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
if ((outcome as { state?: string }).state !== 'succeeded') process.exitCode = 1;
