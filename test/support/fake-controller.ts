// A ControllerView for the API's tests: services, probes and events held in memory and set by the
// test, over a real SQLite state store (runs, journal, audit, tokens), so that run details are
// built from real records. Actions (start, approve, abort) are recorded and write to the store
// the way the engine does (a run with its planned steps, audit entries with the actor's name).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ControllerEvent,
  ControllerView,
  PlanStatus,
  ProbeSample,
  SequencedEvent,
  ServiceStatus,
  StartRunRequest,
} from '../../src/controller/model.js';
import { LifeboatError } from '../../src/core/errors/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import { type JsonValue, openSqliteStore, type SqliteStateStore } from '../../src/store/index.js';

export function sampleService(name: string, over: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name,
    tier: 'tier-1',
    rtoTargetMs: 900_000,
    rpoTargetMs: 60_000,
    plannedRtoMs: 300_000,
    activeSite: 'a',
    sites: [
      {
        site: 'a',
        health: 'up',
        failures: 0,
        since: '2026-11-21T10:00:00.000Z',
        probes: [{ name: 'http', ok: true, at: '2026-11-21T10:00:05.000Z' }],
      },
      {
        site: 'b',
        health: 'down',
        failures: 3,
        probes: [{ name: 'http', ok: false, at: '2026-11-21T10:00:05.000Z', detail: 'refused' }],
      },
    ],
    rpo: [
      {
        dataSet: 'db',
        kind: 'replica',
        rpoMs: 1_500,
        targetMs: 60_000,
        within: true,
        observedAt: '2026-11-21T10:00:05.000Z',
      },
    ],
    readyToFailOver: true,
    onOutage: 'propose',
    ...over,
  };
}

/** Planned steps as the engine keeps them in run.data.planned. */
export function plannedSteps(service: string): JsonValue[] {
  const step = (id: string, action: string, extra: Record<string, JsonValue> = {}) => ({
    id: `${service}/${id}`,
    service,
    kind: 'x',
    action,
    target: `${service}-node`,
    args: {},
    description: `${id} ${service}`,
    estimateMs: 1000,
    estimateSource: 'default',
    pointOfNoReturn: false,
    timeoutMs: 10_000,
    retries: 0,
    needs: [],
    readOnly: false,
    origin: 'derived',
    ...extra,
  });
  return [
    step('fence', 'postgres.fence'),
    step('promote', 'postgres.promote', {
      pointOfNoReturn: true,
      approval: { when: 'always', role: 'dba', distinctFromRequester: false, reason: 'promote?' },
    }),
    step('switch', 'dns.switch'),
  ];
}

export class FakeController implements ControllerView {
  readonly store: SqliteStateStore;
  readonly dir: string;
  services_: ServiceStatus[] = [sampleService('app-db'), sampleService('web', { tier: 'tier-2' })];
  probes: ProbeSample[] = [];
  status: PlanStatus = {
    file: '/plans/plan.yaml',
    loadedAt: '2026-11-21T09:00:00.000Z',
    hash: 'sha256:abc',
    reloads: 2,
    failedReloads: 1,
  };
  readonly calls: { op: string; args: unknown[] }[] = [];
  /** The events still held; the oldest are dropped beyond `bufferSize` (a `gap` for older ids). */
  readonly buffer: SequencedEvent[] = [];
  bufferSize = 1000;
  #nextId = 1;
  readonly #listeners = new Set<(e: SequencedEvent) => void>();
  #run = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'lifeboat-fake-controller-'));
    this.store = openSqliteStore(join(this.dir, 'state.db'));
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  emit(event: ControllerEvent): SequencedEvent {
    const e: SequencedEvent = { id: this.#nextId++, at: new Date().toISOString(), event };
    this.buffer.push(e);
    while (this.buffer.length > this.bufferSize) this.buffer.shift();
    for (const l of [...this.#listeners]) l(e);
    return e;
  }

  plan(): Plan {
    return { version: 1, services: { 'app-db': {} } } as unknown as Plan;
  }

  planStatus(): PlanStatus {
    return this.status;
  }

  services(): ServiceStatus[] {
    return this.services_;
  }

  service(name: string): ServiceStatus | undefined {
    return this.services_.find((s) => s.name === name);
  }

  probeHistory(service: string, limit = 200): ProbeSample[] {
    return this.probes.filter((p) => p.service === service).slice(-limit);
  }

  rpoHistory(service: string, limit = 500) {
    return service === 'app-db'
      ? [
          { at: '2026-11-21T10:00:00.000Z', dataSet: 'db', rpoMs: 1200 },
          { at: '2026-11-21T10:00:05.000Z', dataSet: 'db' },
        ].slice(-limit)
      : [];
  }

  eventsSince(afterId: number): { events: SequencedEvent[]; gap: boolean } {
    const first = this.buffer[0]?.id ?? this.#nextId;
    return { events: this.buffer.filter((e) => e.id > afterId), gap: afterId + 1 < first };
  }

  subscribe(listener: (e: SequencedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  rendered() {
    return { markdown: '# Continuity plan\n', svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' };
  }

  async startRun(req: StartRunRequest): Promise<{ runId: string }> {
    this.calls.push({ op: 'startRun', args: [req] });
    if (!this.service(req.target)) {
      throw new LifeboatError('LB_E_RUNBOOK_UNKNOWN_SERVICE', `no service ${req.target}`);
    }
    const busy = await this.store.runs.list({
      service: req.target,
      state: ['running', 'waiting-approval', 'aborting'],
    });
    if (busy.length > 0) {
      throw new LifeboatError(
        'LB_E_ENGINE_SERVICE_BUSY',
        `run ${busy[0]?.id} acts on ${req.target}`,
      );
    }
    const run = await this.store.runs.create({
      id: `run-${++this.#run}`,
      service: req.target,
      runbook: req.runbook,
      planHash: this.status.hash,
      paramsHash: 'sha256:params',
      state: 'running',
      data: {
        planned: { runbook: req.runbook, steps: plannedSteps(req.target) },
        requester: req.actor,
        services: [req.target],
        ...(req.reason ? { reason: req.reason } : {}),
        pointOfNoReturnPassed: false,
      },
    });
    await this.store.audit.append({
      actor: req.actor,
      action: 'run.start',
      subject: run.id,
      data: { runbook: req.runbook },
    });
    return { runId: run.id };
  }

  async approve(runId: string, stepId: string, actor: string): Promise<void> {
    this.calls.push({ op: 'approve', args: [runId, stepId, actor] });
    await this.store.audit.append({
      actor,
      action: 'approval.record',
      subject: runId,
      data: { stepId },
    });
  }

  async abort(runId: string, actor: string, reason: string): Promise<void> {
    this.calls.push({ op: 'abort', args: [runId, actor, reason] });
    const run = await this.store.runs.get(runId);
    if (run?.state === 'succeeded') {
      throw new LifeboatError('LB_E_ENGINE_RUN_ENDED', `run ${runId} has ended`);
    }
    await this.store.audit.append({
      actor,
      action: 'run.abort-request',
      subject: runId,
      data: { reason },
    });
  }

  async close(): Promise<void> {
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
