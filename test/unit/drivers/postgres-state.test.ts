// The PostgreSQL driver's pure parts: replication state from the server's rows, the promote
// verdict, the recovery files a rebuild writes, pg_rewind's prerequisites and error mapping.
import { describe, expect, it } from 'vitest';
import {
  renderConninfo,
  renderPassFile,
  rewriteAutoConf,
} from '../../../src/drivers/postgres/recovery-conf.js';
import { parseControlData, rewindPossible } from '../../../src/drivers/postgres/server.js';
import { pgError } from '../../../src/drivers/postgres/session.js';
import {
  conninfoTarget,
  type NodeRow,
  notReadyReason,
  type ReceiverRow,
  toReplicationState,
} from '../../../src/drivers/postgres/state.js';
import { Secret } from '../../../src/drivers/secrets.js';

const node = (over: Partial<NodeRow> = {}): NodeRow => ({
  in_recovery: true,
  read_only_default: 'off',
  sync_names: '',
  current_lsn: null,
  wal_timeline: null,
  checkpoint_timeline: 1,
  receive_lsn: '0/3000000',
  replay_lsn: '0/3000000',
  unapplied_bytes: '0',
  replay_age_ms: 90_000,
  replay_pause: 'not paused',
  ...over,
});
const receiver = (over: Partial<ReceiverRow> = {}): ReceiverRow => ({
  status: 'streaming',
  sender_host: '10.77.0.1',
  sender_port: 5432,
  received_tli: 1,
  slot_name: null,
  flushed_lsn: '0/3000000',
  latest_end_lsn: '0/3000000',
  behind_bytes: '0',
  unreceived_bytes: '0',
  silence_ms: 100,
  ...over,
});
const limits = { maxLagBytes: 1000, maxSilenceMs: 5000 };

describe('postgres replication state and promote verdict', () => {
  it('an idle, caught-up replica has lag 0 even though its last replayed commit is old', () => {
    const s = toReplicationState(node(), receiver(), []);
    expect(s).toMatchObject({
      role: 'replica',
      writable: false,
      streaming: true,
      lagBytes: 0,
      lagMs: 0,
      source: '10.77.0.1:5432',
      timeline: 1,
    });
    expect(notReadyReason(s, limits)).toBeUndefined();
  });

  it('just reconnected and idle (the sender has not reported its end yet): lag bounded by the silence', () => {
    const fresh = toReplicationState(
      node({ replay_age_ms: null }),
      receiver({ behind_bytes: null, latest_end_lsn: null, silence_ms: 40 }),
      [],
    );
    expect(fresh).toMatchObject({ streaming: true, lagMs: 40 });
    expect(fresh.lagBytes).toBeUndefined();
    // Something received but not yet applied: no such bound.
    const busy = toReplicationState(
      node({ replay_age_ms: null, unapplied_bytes: '512' }),
      receiver({ behind_bytes: null, silence_ms: 40 }),
      [],
    );
    expect(busy.lagMs).toBeUndefined();
  });

  it('a replica behind reports bytes and the replay age', () => {
    const s = toReplicationState(
      node({ unapplied_bytes: '4096' }),
      receiver({ behind_bytes: '5000' }),
      [],
    );
    expect(s).toMatchObject({ lagBytes: 5000, lagMs: 90_000, unappliedBytes: 4096 });
    expect(notReadyReason(s, limits)).toMatch(/5000 bytes behind/);
    expect(notReadyReason(s, { ...limits, maxLagBytes: 10_000 })).toBeUndefined();
  });

  it('not streaming, or silent too long: lag unknown, not ready', () => {
    const stopped = toReplicationState(node(), undefined, []);
    expect(stopped).toMatchObject({ streaming: false, receiverStatus: 'stopped' });
    expect(stopped.lagBytes).toBeUndefined();
    expect(notReadyReason(stopped, limits)).toMatch(/not streaming/);
    const waiting = toReplicationState(node(), receiver({ status: 'waiting' }), []);
    expect(notReadyReason(waiting, limits)).toMatch(/WAL receiver: waiting/);
    const silent = toReplicationState(node(), receiver({ silence_ms: 9000 }), []);
    expect(notReadyReason(silent, limits)).toMatch(/nothing came .* 9000 ms/);
  });

  it('a primary: writable unless fenced, synchronous only with a sync standby attached', () => {
    const p = node({
      in_recovery: false,
      current_lsn: '0/5000000',
      wal_timeline: 2,
      sync_names: 'b',
    });
    const standby = {
      application_name: 'b',
      client_addr: '10.77.0.2',
      state: 'streaming',
      sync_state: 'sync',
      flush_behind_bytes: '0',
      replay_behind_bytes: '8',
      write_lag_ms: 1.2,
      flush_lag_ms: null,
      replay_lag_ms: 3,
    };
    expect(toReplicationState(p, undefined, [standby])).toMatchObject({
      role: 'primary',
      writable: true,
      streaming: false,
      synchronous: true,
      timeline: 2,
      standbys: [{ name: 'b', syncState: 'sync', replayLagBytes: 8, writeLagMs: 1 }],
    });
    expect(toReplicationState({ ...p, read_only_default: 'on' }, undefined, [])).toMatchObject({
      writable: false,
      fenced: true,
      synchronous: false,
    });
    expect(notReadyReason(toReplicationState(p, undefined, []), limits)).toBeUndefined();
  });

  it('reads host and port from primary_conninfo and nothing else', () => {
    expect(conninfoTarget('host=10.77.0.1 port=5433 user=r password=s3cret')).toEqual({
      host: '10.77.0.1',
      port: 5433,
    });
    expect(conninfoTarget('')).toEqual({});
  });
});

describe('postgres recovery files', () => {
  const src = { host: '10.77.0.2', port: 5432 };
  it('escapes : and \\ in the password file, refuses line breaks', () => {
    const text = renderPassFile(src, [
      { user: 'replicator', password: new Secret('a:b\\c', 'env:X') },
    ]);
    expect(text).toBe('10.77.0.2:5432:*:replicator:a\\:b\\\\c\n');
    expect(() =>
      renderPassFile(src, [{ user: 'r', password: new Secret('a\nb', 'env:X') }]),
    ).toThrow(/line break/);
  });

  it('conninfo names the passfile, never a password, and refuses unplain values', () => {
    const c = renderConninfo({
      ...src,
      user: 'replicator',
      passFile: '/var/lib/postgresql/lifeboat.pgpass',
      applicationName: 'a',
    });
    expect(c).toBe(
      'host=10.77.0.2 port=5432 user=replicator passfile=/var/lib/postgresql/lifeboat.pgpass application_name=a connect_timeout=5',
    );
    expect(() =>
      renderConninfo({ ...src, user: "x' y", passFile: '/p', applicationName: 'a' }),
    ).toThrow();
  });

  it("rewrites postgresql.auto.conf: owned settings replaced, the node's own kept", () => {
    const before = [
      '# Do not edit this file manually!',
      '# It will be overwritten by the ALTER SYSTEM command.',
      "synchronous_standby_names = 'b'",
      "default_transaction_read_only = 'on'",
      "primary_conninfo = 'host=old'",
      '',
    ].join('\n');
    const after = rewriteAutoConf(before, { primaryConninfo: 'host=new port=5432', slotName: 'a' });
    expect(after).toBe(
      [
        '# Do not edit this file manually!',
        '# It will be overwritten by the ALTER SYSTEM command.',
        "synchronous_standby_names = 'b'",
        "primary_conninfo = 'host=new port=5432'",
        "primary_slot_name = 'a'",
        '',
      ].join('\n'),
    );
  });

  it('pg_rewind is possible with wal_log_hints or checksums only', () => {
    const cd = parseControlData(
      'wal_log_hints setting:                on\nData page checksum version:           0\n',
    );
    expect(rewindPossible(cd)).toEqual({ ok: true, why: 'wal_log_hints is on' });
    expect(
      rewindPossible({ 'wal_log_hints setting': 'off', 'Data page checksum version': '1' }).ok,
    ).toBe(true);
    expect(
      rewindPossible({ 'wal_log_hints setting': 'off', 'Data page checksum version': '0' }).ok,
    ).toBe(false);
  });

  it('maps server errors to codes', () => {
    expect(pgError({ code: '28P01', message: 'password authentication failed' }, 'x').code).toBe(
      'LB_E_DRIVER_AUTH',
    );
    expect(pgError({ code: '57P01', message: 'terminating' }, 'x').code).toBe(
      'LB_E_DRIVER_UNREACHABLE',
    );
    expect(pgError({ code: 'ECONNREFUSED', message: 'refused' }, 'x').retryable).toBe(true);
    expect(pgError({ code: '57014', message: 'canceling statement' }, 'x').code).toBe(
      'LB_E_DRIVER_TIMEOUT',
    );
    expect(pgError({ code: '42601', message: 'syntax error' }, 'x').code).toBe(
      'LB_E_DRIVER_COMMAND_FAILED',
    );
  });
});
