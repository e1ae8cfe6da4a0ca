// Small builders for the dashboard's pure-logic tests.
import type { RunDetail, RunStep, ServiceStatus } from '../../../src/server/api-types.js';

export function svc(name: string, over: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name,
    tier: 'High',
    rtoTargetMs: 300_000,
    rpoTargetMs: 300_000,
    plannedRtoMs: 60_000,
    activeSite: 'a',
    sites: [
      { site: 'a', health: 'up', failures: 0, probes: [] },
      { site: 'b', health: 'up', failures: 0, probes: [] },
    ],
    rpo: [
      { dataSet: `${name}-data`, kind: 'replica', rpoMs: 12_000, targetMs: 300_000, within: true },
    ],
    readyToFailOver: true,
    onOutage: 'propose',
    ...over,
  };
}

export function step(id: string, over: Partial<RunStep> = {}): RunStep {
  return {
    id,
    service: 'app-db',
    action: 'noop',
    target: 'x',
    description: `step ${id}`,
    estimateMs: 1000,
    phase: 'pending',
    pointOfNoReturn: false,
    awaitingApproval: false,
    ...over,
  };
}

export function run(over: Partial<RunDetail> = {}): RunDetail {
  return {
    id: 'run-1',
    runbook: 'failover',
    service: 'app-db',
    services: ['app-db'],
    state: 'running',
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
    pointOfNoReturnPassed: false,
    planHash: 'abc',
    journalSeq: 0,
    steps: [step('fence'), step('promote', { pointOfNoReturn: true }), step('switch')],
    ...over,
  };
}
