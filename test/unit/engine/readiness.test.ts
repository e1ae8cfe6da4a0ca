// The readiness verdict of check-ready: when promoting a replica can lose acknowledged writes.
import { describe, expect, it } from 'vitest';
import type { ReplicationState } from '../../../src/drivers/driver.js';
import { type DataSetFacts, mirrorVerdict, replicaVerdict } from '../../../src/engine/index.js';

const replica = (over: Partial<ReplicationState> = {}): ReplicationState => ({
  role: 'replica',
  writable: false,
  streaming: true,
  lagMs: 0,
  ...over,
});
const asyncFacts = { synchronous: false } as DataSetFacts;
const syncFacts = { synchronous: true } as DataSetFacts;

describe('replicaVerdict', () => {
  it('a streaming replica within the limit is ready; over it, not', () => {
    expect(replicaVerdict(replica({ lagMs: 800 }), asyncFacts, 5000)).toMatchObject({
      ready: true,
      lagMs: 800,
    });
    expect(replicaVerdict(replica({ lagMs: 8000 }), asyncFacts, 5000).ready).toBe(false);
    expect(replicaVerdict(replica({ lagMs: undefined }), asyncFacts, 5000).ready).toBe(false);
  });

  it('async: a replica whose source does not answer is not ready, however fresh its own view', () => {
    const v = replicaVerdict(replica({ sourceAnswered: false, lagMs: 0 }), asyncFacts, 5000);
    expect(v.ready).toBe(false);
    expect(v.reason).toMatch(/source does not answer.*as of its last contact/);
    expect(replicaVerdict(replica({ sourceAnswered: true }), asyncFacts, 5000).ready).toBe(true);
  });

  it('sync: every acknowledged commit reached the replica, answered or not', () => {
    expect(replicaVerdict(replica({ sourceAnswered: false }), syncFacts, 5000).ready).toBe(true);
    expect(replicaVerdict(replica({ streaming: false }), syncFacts, 0).ready).toBe(true);
    expect(replicaVerdict(replica({ streaming: false }), asyncFacts, 5000).ready).toBe(false);
  });

  it('a primary is ready (promoted earlier); another role is not', () => {
    expect(replicaVerdict(replica({ role: 'primary' }), asyncFacts, 0).ready).toBe(true);
    expect(replicaVerdict(replica({ role: 'unknown' as never }), asyncFacts, 0).ready).toBe(false);
  });
});

describe('mirrorVerdict (rsync copies)', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  it('a copy complete up to within the RPO is ready, with that lag', () => {
    expect(mirrorVerdict(now - 60_000, now, 3_600_000)).toMatchObject({
      ready: true,
      lagMs: 60_000,
    });
  });
  it('an older copy, or one without a marker, is not', () => {
    expect(mirrorVerdict(now - 7_200_000, now, 3_600_000)).toMatchObject({
      ready: false,
      lagMs: 7_200_000,
    });
    expect(mirrorVerdict(undefined, now, 3_600_000).reason).toMatch(/no marker/);
  });
});
