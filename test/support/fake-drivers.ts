// In-memory drivers for unit tests of the engine: a fake world of databases and switches that
// honours the same contract as the real drivers (the conformance suite proves it).
import { LifeboatError } from '../../src/core/errors/index.js';
import { throwIfAborted } from '../../src/drivers/context.js';
import type {
  EffectResult,
  Fenceable,
  FenceMode,
  Observation,
  OperationContext,
  Promotable,
  ReadOnlyCapable,
  ReplicaSource,
  Replicating,
  ReplicationState,
  Switchable,
} from '../../src/drivers/driver.js';

/** The shared state the fakes act on; tests inspect and break it. */
export class FakeWorld {
  readonly databases = new Map<
    string,
    { role: 'primary' | 'replica'; fenced: boolean; up: boolean; lagBytes: number; source?: string }
  >();
  readonly switches = new Map<
    string,
    { current: string | undefined; destinations: Set<string>; readOnly: boolean; up: boolean }
  >();
  /** Every effect applied, in order: what a test asserts "applied once" on. */
  readonly effects: string[] = [];
}

function unreachable(kind: string, target: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_UNREACHABLE', `${kind} ${target} does not answer`);
}

export class FakeDatabase implements Replicating, Promotable, Fenceable {
  readonly kind = 'fake-db';
  constructor(
    private readonly world: FakeWorld,
    readonly target: string,
  ) {}

  private db(ctx: OperationContext) {
    throwIfAborted(ctx, `${this.kind} ${this.target}`);
    const db = this.world.databases.get(this.target);
    if (!db?.up) throw unreachable(this.kind, this.target);
    return db;
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const db = this.db(ctx);
    return {
      healthy: true,
      summary: `${this.target} is ${db.role}`,
      facts: { role: db.role, fenced: db.fenced },
    };
  }

  async replicationState(ctx: OperationContext): Promise<ReplicationState> {
    const db = this.db(ctx);
    return {
      role: db.role,
      writable: db.role === 'primary' && !db.fenced,
      streaming: db.role === 'replica' && db.source !== undefined,
      lagBytes: db.lagBytes,
      ...(db.source ? { source: db.source } : {}),
    };
  }

  async promote(ctx: OperationContext): Promise<EffectResult> {
    const db = this.db(ctx);
    if (db.role === 'primary')
      return { changed: false, detail: `${this.target} is already primary` };
    db.role = 'primary';
    delete db.source;
    this.world.effects.push(`promote ${this.target}`);
    return { changed: true, detail: `promoted ${this.target}` };
  }

  async fence(ctx: OperationContext, _how: FenceMode = 'read-only'): Promise<EffectResult> {
    const db = this.db(ctx);
    if (db.fenced) return { changed: false, detail: `${this.target} is already fenced` };
    db.fenced = true;
    this.world.effects.push(`fence ${this.target}`);
    return { changed: true, detail: `fenced ${this.target}` };
  }

  async unfence(ctx: OperationContext): Promise<EffectResult> {
    const db = this.db(ctx);
    if (!db.fenced) return { changed: false, detail: `${this.target} is not fenced` };
    db.fenced = false;
    this.world.effects.push(`unfence ${this.target}`);
    return { changed: true, detail: `unfenced ${this.target}` };
  }

  async rebuildAsReplicaOf(ctx: OperationContext, source: ReplicaSource): Promise<EffectResult> {
    const db = this.db(ctx);
    const from = `${source.host}:${source.port}`;
    if (db.role === 'replica' && db.source === from)
      return { changed: false, detail: `${this.target} already replicates ${from}` };
    Object.assign(db, { role: 'replica', source: from, fenced: false, lagBytes: 0 });
    this.world.effects.push(`rebuild ${this.target} from ${from}`);
    return { changed: true, detail: `${this.target} now replicates ${from}` };
  }
}

export class FakeSwitch implements Switchable, ReadOnlyCapable {
  readonly kind = 'fake-switch';
  constructor(
    private readonly world: FakeWorld,
    readonly target: string,
  ) {}

  private sw(ctx: OperationContext) {
    throwIfAborted(ctx, `${this.kind} ${this.target}`);
    const sw = this.world.switches.get(this.target);
    if (!sw?.up) throw unreachable(this.kind, this.target);
    return sw;
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const sw = this.sw(ctx);
    return {
      healthy: true,
      summary: `${this.target} → ${sw.current ?? 'nowhere'}`,
      facts: { current: sw.current, readOnly: sw.readOnly },
    };
  }

  async current(ctx: OperationContext): Promise<string | undefined> {
    return this.sw(ctx).current;
  }

  async switchTo(ctx: OperationContext, destination: string): Promise<EffectResult> {
    const sw = this.sw(ctx);
    if (!sw.destinations.has(destination)) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFLICT',
        `${destination} is not a destination of ${this.target}`,
      );
    }
    if (sw.current === destination)
      return { changed: false, detail: `${this.target} already sends to ${destination}` };
    sw.current = destination;
    this.world.effects.push(`switch ${this.target} to ${destination}`);
    return { changed: true, detail: `${this.target} now sends to ${destination}` };
  }

  async setReadOnly(ctx: OperationContext, readOnly: boolean): Promise<EffectResult> {
    const sw = this.sw(ctx);
    if (sw.readOnly === readOnly)
      return { changed: false, detail: `${this.target} read-only is already ${readOnly}` };
    sw.readOnly = readOnly;
    this.world.effects.push(`read-only ${this.target} ${readOnly}`);
    return { changed: true, detail: `${this.target} read-only ${readOnly}` };
  }
}
