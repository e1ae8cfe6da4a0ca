// A process that runs the engine on the fake world, for the kill -9 tests: it starts or resumes
// a failover of app-db, saves the world after every effect, and kills itself with SIGKILL right
// after journal entry number `killAt` is durable (0: never). Prints the outcome as JSON.
// Usage: node --import tsx engine-child.ts <state.db> <world.json> start|resume <runId> <killAt>
import { Engine, runData } from '../../src/engine/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { planned } from '../unit/engine/helpers.js';
import { fakeStepDrivers, loadWorld, saveWorld } from './fake-step-drivers.js';

const [statePath, worldPath, mode, runId, killAtText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const killAt = Number(killAtText);
const { world, site } = loadWorld(worldPath);
const drivers = fakeStepDrivers(world, site, {
  afterEffect: () => saveWorld(world, site, worldPath),
});
const store = openSqliteStore(statePath);
const append = store.journal.append.bind(store.journal);
store.journal.append = async (...args) => {
  const entry = await append(...args);
  if (entry.seq === killAt) process.kill(process.pid, 'SIGKILL');
  return entry;
};
const engine = new Engine({
  store,
  drivers,
  actor: 'alice',
  roles: {},
  pollMs: 20,
  retryBackoffMs: 10,
  siteGateMs: 200,
});
const outcome =
  mode === 'start'
    ? await engine.start(planned('failover', 'app-db'), { runId })
    : await engine.resume(
        runId,
        runData(
          (await store.runs.get(runId)) as NonNullable<Awaited<ReturnType<typeof store.runs.get>>>,
        ).planned.planHash,
      );
saveWorld(world, site, worldPath);
await store.close();
process.stdout.write(`${JSON.stringify(outcome)}\n`);
