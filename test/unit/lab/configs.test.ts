// The configurations the lab writes for its servers: the traps of LAB-NOTES are encoded here,
// so a change that reintroduces one fails without root or a server.
import { describe, expect, it } from 'vitest';
import { renderNamedConf, renderZone, ZONE_RECORDS } from '../../../src/lab/bind.js';
import { labEndpoints } from '../../../src/lab/endpoints.js';
import { etcdArgv } from '../../../src/lab/etcd.js';
import { renderHaproxyCfg } from '../../../src/lab/haproxy.js';
import { HTTP_SERVICE_SOURCE } from '../../../src/lab/http-service.js';
import { renderKeepalivedConf } from '../../../src/lab/keepalived.js';
import {
  parseTabular,
  renderMyBootstrap,
  renderMyClientCnf,
  renderMyCnf,
} from '../../../src/lab/mariadb.js';
import { labPaths } from '../../../src/lab/paths.js';
import { renderPgBootstrap, renderPgConf, renderPgHba } from '../../../src/lab/postgres.js';
import { renderPdnsConf, renderPdnsZoneSql } from '../../../src/lab/powerdns.js';
import { renderRsyncdConf } from '../../../src/lab/rsync.js';
import { renderSshdConfig, sshClientOptions } from '../../../src/lab/ssh.js';

const paths = labPaths('/tmp/lifeboat-lab/u1');

describe('PostgreSQL', () => {
  it('gives each instance its own socket dir and names the standby for synchronous_standby_names', () => {
    const a = renderPgConf(paths, 'a');
    const b = renderPgConf(paths, 'b');
    expect(a).toContain("unix_socket_directories = '/tmp/lifeboat-lab/u1/postgres/a/sock'");
    expect(b).toContain("unix_socket_directories = '/tmp/lifeboat-lab/u1/postgres/b/sock'");
    expect(b).toContain("cluster_name = 'b'");
    expect(b).toMatch(
      /primary_conninfo = 'host=10\.77\.0\.1 .*user=replicator passfile=\S+ application_name=b'/,
    );
    expect(b).toContain("primary_slot_name = 'b'");
    expect(a).not.toContain('primary_conninfo');
    expect(a).toContain("dynamic_shared_memory_type = 'mmap'"); // nothing left in /dev/shm
    // Sync mode is switched on at runtime, once b streams: never in the file (LAB-NOTES).
    expect(a + b).not.toContain('synchronous_standby_names');
  });

  it('authenticates the network with SCRAM, never trust, and holds no password in the conninfo', () => {
    const hba = renderPgHba();
    expect(hba).not.toMatch(/\btrust\b/);
    expect(hba).toContain('host replication replicator 10.77.0.0/24 scram-sha-256');
    expect(renderPgConf(paths, 'b')).not.toMatch(/password=/);
  });

  it('creates roles idempotently with verifiers only, and the standby slot', () => {
    const sql = renderPgBootstrap({
      lifeboat: 'SCRAM-SHA-256$v1',
      app: 'SCRAM-SHA-256$v2',
      replicator: 'SCRAM-SHA-256$v3',
    });
    expect(sql).toContain("IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeboat')");
    expect(sql).toContain("CREATE ROLE replicator LOGIN REPLICATION PASSWORD 'SCRAM-SHA-256$v3'");
    expect(sql).toContain("pg_create_physical_replication_slot('b')");
    expect(sql).toContain('\\gexec');
  });
});

describe('MariaDB', () => {
  it('applies in parallel, optimistically, with strict GTIDs; the replica is read-only', () => {
    const a = renderMyCnf(paths, 'a');
    const b = renderMyCnf(paths, 'b');
    for (const line of [
      'slave-parallel-threads=4',
      'slave-parallel-mode=optimistic',
      'gtid-strict-mode=ON',
      'log-slave-updates=ON',
    ]) {
      expect(a).toContain(line);
      expect(b).toContain(line);
    }
    expect(a).toContain('server-id=1');
    expect(b).toContain('server-id=2');
    expect(b).toContain('read-only=ON');
    expect(a).not.toContain('read-only');
    expect(a).toContain('socket=/tmp/lifeboat-lab/u1/mariadb/a/mysqld.sock');
  });

  it('creates users from hashes, not passwords', () => {
    const sql = renderMyBootstrap({ lifeboat: '*AAA', app: '*BBB', repl: '*CCC' });
    expect(sql).toContain(
      "CREATE USER IF NOT EXISTS 'repl'@'10.77.0.%' IDENTIFIED BY PASSWORD '*CCC'",
    );
    expect(sql).toContain("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.77.0.%'");
  });

  it('reads `mariadb -B` output with its header', () => {
    const rows = parseTabular(
      'Slave_IO_Running\tSlave_SQL_Running\tGtid_IO_Pos\nYes\tYes\t0-1-7\n',
    );
    expect(rows).toEqual([
      { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Gtid_IO_Pos: '0-1-7' },
    ]);
    expect(parseTabular('')).toEqual([]);
  });

  it('writes a client option file (kept 0600 by the lab) rather than a password in argv', () => {
    expect(renderMyClientCnf('app', 'pw')).toBe(
      '[client]\nuser=app\npassword=pw\nprotocol=TCP\nconnect-timeout=3\n',
    );
  });
});

describe('DNS', () => {
  it('BIND: authoritative only, TSIG-signed updates, no rndc, lab-local files', () => {
    const conf = renderNamedConf(paths);
    expect(conf).toContain('recursion no;');
    expect(conf).toContain('allow-update { key "lifeboat-lab"; };');
    expect(conf).toContain('include "/tmp/lifeboat-lab/u1/secrets/bind-tsig.key";');
    expect(conf).toContain('controls { };');
    expect(conf).toContain('listen-on port 53 { 10.77.0.3; 127.0.0.1; };');
    expect(renderZone()).toMatch(/^\$TTL 5\n@ IN SOA ns1\.lab\.test\. /);
  });

  it('PowerDNS: sqlite3 backend, API on the witness, same zone as BIND', () => {
    const conf = renderPdnsConf(paths, 'KEY');
    expect(conf).toContain('launch=gsqlite3');
    expect(conf).toContain('api=yes');
    expect(conf).toContain('api-key=KEY');
    expect(conf).toContain('webserver-address=10.77.0.3');
    expect(conf).toContain('webserver-allow-from=10.77.0.0/24');
    const sql = renderPdnsZoneSql();
    expect(sql).toContain("INSERT INTO domains (name, type) VALUES ('lab.test', 'NATIVE');");
    expect(sql).toContain("'lab.test', 'SOA', 'ns1.lab.test hostmaster.lab.test 1 60 10 3600 5'");
    expect(sql.match(/INSERT INTO records/g)).toHaveLength(ZONE_RECORDS.length + 1);
  });
});

describe('HAProxy', () => {
  const cfg = renderHaproxyCfg(paths);
  it('exposes the runtime API at admin level on a Unix socket and a TCP port', () => {
    expect(cfg).toContain(
      'stats socket /tmp/lifeboat-lab/u1/haproxy/admin.sock mode 600 level admin',
    );
    expect(cfg).toContain('stats socket ipv4@10.77.0.254:9999 level admin');
  });
  it('keeps runtime states across reloads with a server-state-file', () => {
    expect(cfg).toContain('server-state-file /tmp/lifeboat-lab/u1/haproxy/server.state');
    expect(cfg).toContain('load-server-state-from-file global');
  });
  it('switches read-only through a map, and fronts PostgreSQL with redispatch and a short connect timeout', () => {
    expect(cfg).toContain(
      'http-request deny deny_status 503 content-type text/plain string "read-only maintenance: writes are refused, reads are served" if write_method { str(mode),map(/tmp/lifeboat-lab/u1/haproxy/ro.map,rw) -m str ro }',
    );
    const pg = cfg.slice(cfg.indexOf('listen postgres'), cfg.indexOf('listen mariadb'));
    expect(pg).toContain('mode tcp');
    expect(pg).toContain('timeout connect 100ms');
    expect(pg).toContain('option redispatch');
    expect(pg).toContain('server a 10.77.0.1:5432');
    expect(pg).toContain('server b 10.77.0.2:5432 disabled');
  });
});

describe('the HTTP service', () => {
  it('answers GET and accepts PUT and POST', () => {
    expect(HTTP_SERVICE_SOURCE).toContain("req.method === 'GET'");
    expect(HTTP_SERVICE_SOURCE).toContain("req.method === 'PUT' || req.method === 'POST'");
  });
});

describe('SSH and rsync', () => {
  it('sshd: keys only, lab files, pinned host key for clients', () => {
    const conf = renderSshdConfig(paths);
    expect(conf).toContain('ListenAddress 10.77.0.2:22');
    expect(conf).toContain('PasswordAuthentication no');
    expect(conf).toContain('AuthorizedKeysFile /tmp/lifeboat-lab/u1/ssh/authorized_keys');
    const opts = sshClientOptions(paths).join(' ');
    expect(opts).toContain('StrictHostKeyChecking=yes');
    expect(opts).toContain('UserKnownHostsFile=/tmp/lifeboat-lab/u1/ssh/known_hosts');
    expect(opts).not.toContain('/dev/null');
  });
  it('rsyncd: one writable module at site b, lab subnet only', () => {
    const conf = renderRsyncdConf(paths);
    expect(conf).toContain('address = 10.77.0.2');
    expect(conf).toContain('[lab]');
    expect(conf).toContain('hosts allow = 10.77.0.0/24');
    expect(conf).toContain('read only = no');
  });
});

describe('keepalived and etcd', () => {
  it('keepalived: vrrp_version in global_defs, a preferred, same router id on both', () => {
    const a = renderKeepalivedConf('a', 'lb');
    const b = renderKeepalivedConf('b', 'lb');
    const globals = a.slice(0, a.indexOf('vrrp_instance'));
    expect(globals).toContain('vrrp_version 3');
    expect(a).toContain('priority 150');
    expect(b).toContain('priority 100');
    expect(a).toContain('state MASTER');
    expect(b).toContain('state BACKUP');
    for (const c of [a, b]) expect(c).toContain('10.77.0.100/24 dev eth0');
  });

  it('etcd: three members, pre-vote, data under the lab', () => {
    const argv = etcdArgv(paths, 'witness', 'lb');
    expect(argv).toContain('--pre-vote');
    expect(argv[argv.indexOf('--initial-cluster') + 1]).toBe(
      'a=http://10.77.0.1:2380,b=http://10.77.0.2:2380,witness=http://10.77.0.3:2380',
    );
    expect(argv[argv.indexOf('--data-dir') + 1]).toBe('/tmp/lifeboat-lab/u1/etcd/witness');
  });
});

describe('endpoints', () => {
  it('name credential files inside the lab, never secrets', () => {
    const e = labEndpoints('u1', paths);
    const text = JSON.stringify(e);
    const files = [
      ...text.matchAll(
        /"(?:passwordFile|pgpassFile|clientCnf|keyFile|secretFile|identityFile)":"([^"]+)"/g,
      ),
    ].map((m) => m[1]);
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) expect(f?.startsWith('/tmp/lifeboat-lab/u1/secrets/')).toBe(true);
    expect(e.postgres.a).toMatchObject({ namespace: 'u1-a', host: '10.77.0.1', port: 5432 });
    expect(e.haproxy.postgres).toEqual({ namespace: 'u1-wan', host: '10.77.0.254', port: 5432 });
    expect(e.etcd.clientUrls).toHaveLength(3);
    expect(e.bind.tsig.algorithm).toBe('hmac-sha256');
  });
});
