// The fakes that engine unit tests use pass the same conformance suite as the real drivers.

import { runDriverConformance } from '../../conformance/driver-suite.js';
import { FakeDatabase, FakeSwitch, FakeWorld } from '../../support/fake-drivers.js';

const world = new FakeWorld();
world.databases.set('db-a', { role: 'primary', fenced: false, up: true, lagBytes: 0 });
world.databases.set('db-b', {
  role: 'replica',
  fenced: false,
  up: true,
  lagBytes: 0,
  source: 'db-a:5432',
});
world.switches.set('lb', {
  current: 'site-a',
  destinations: new Set(['site-a', 'site-b']),
  readOnly: false,
  up: true,
});

runDriverConformance({
  name: 'fake database (replica)',
  setup: async () => new FakeDatabase(world, 'db-b'),
  unreachable: () => new FakeDatabase(world, 'db-missing'),
});

runDriverConformance({
  name: 'fake switch',
  setup: async () => new FakeSwitch(world, 'lb'),
  destinations: ['site-b', 'site-a'],
  unreachable: () => new FakeSwitch(world, 'lb-missing'),
});
