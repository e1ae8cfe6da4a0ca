// The Debian packages of the lab: the one list (scripts/setup.sh runs `lifeboat lab install`).
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';
import { run } from './exec.js';

export const LAB_PACKAGES: readonly string[] = [
  'iproute2',
  'nftables',
  'util-linux', // setpriv
  'procps',
  'postgresql',
  'mariadb-server',
  'mariadb-client',
  'bind9',
  'bind9-utils',
  'bind9-dnsutils',
  'pdns-server',
  'pdns-backend-sqlite3',
  'sqlite3',
  'haproxy',
  'keepalived',
  'rsync',
  'openssh-server',
  'openssh-client',
  'etcd-server',
  'etcd-client',
  // Only for the side-by-side benchmark (bench/controller/failover.ts), never started by `up`.
  'patroni',
  'socat', // TCP probes
  'curl', // HTTP probes
  'ansible-core',
  'chromium', // the dashboard's browser tests (Playwright drives Debian's build)
];

const POLICY_RC_D = '/usr/sbin/policy-rc.d';
const APT_TIMEOUT_MS = 20 * 60_000;

/** Installed packages among `dpkg-query -W -f '${Package} ${Status}\n'` output. Pure. */
export function parseInstalled(dpkgQueryOutput: string): Set<string> {
  const out = new Set<string>();
  for (const line of dpkgQueryOutput.split('\n')) {
    const m = /^(\S+?)(?::\S+)? (.*)$/.exec(line.trim());
    if (m && /install ok installed/.test(m[2] ?? '')) out.add(m[1] as string);
  }
  return out;
}

export interface InstallReport {
  missing: string[];
  installed: string[];
  dryRun: boolean;
  ms: number;
}

export async function missingPackages(
  packages: readonly string[] = LAB_PACKAGES,
): Promise<string[]> {
  // Exits non-zero when some package is unknown to dpkg; its output still lists the others.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own placeholders
  const format = '${Package} ${Status}\n';
  const r = await run(['dpkg-query', '-W', '-f', format, ...packages], {
    timeoutMs: 30_000,
  });
  const have = parseInstalled(r.stdout);
  return packages.filter((p) => !have.has(p));
}

/**
 * Installs what is missing with apt-get. A policy-rc.d that forbids starting services is in
 * place meanwhile (there is no init system here, and the lab starts every daemon itself);
 * one we put there is removed afterwards.
 */
export async function installPackages(opts: { dryRun?: boolean } = {}): Promise<InstallReport> {
  const t0 = performance.now();
  const missing = await missingPackages();
  const report = (installed: string[]): InstallReport => ({
    missing,
    installed,
    dryRun: opts.dryRun ?? false,
    ms: Math.round(performance.now() - t0),
  });
  if (missing.length === 0 || opts.dryRun) return report([]);
  const ours = !existsSync(POLICY_RC_D);
  if (ours)
    writeFileSync(
      POLICY_RC_D,
      '#!/bin/sh\n# lifeboat lab install: do not start services\nexit 101\n',
      { mode: 0o755 },
    );
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = await run(['apt-get', 'update', '-q'], { env, timeoutMs: APT_TIMEOUT_MS });
    if (update.code !== 0) throw installError(['apt-get', 'update'], update.stderr);
    const argv = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing];
    const inst = await run(argv, { env, timeoutMs: APT_TIMEOUT_MS });
    if (inst.code !== 0) throw installError(argv, inst.stderr);
  } finally {
    if (ours) unlinkSync(POLICY_RC_D);
  }
  const still = await missingPackages(missing);
  if (still.length > 0) throw installError(['apt-get', 'install', ...still], 'still not installed');
  return report(missing);
}

function installError(argv: string[], stderr: string): LifeboatError {
  return new LifeboatError(
    'LB_E_LAB_INSTALL',
    `\`${argv.join(' ')}\` failed: ${stderr.trim().split('\n').slice(-4).join(' | ')}`,
  );
}
