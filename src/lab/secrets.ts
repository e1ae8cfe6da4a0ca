// Generated credentials. Each lives in its own file, mode 0600, owned by whoever must read it
// (the daemon's user or root); lab.json and stdout carry only the file's path. Servers get
// password *hashes* where they accept them, so the plain text never reaches their logs.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';
import { run } from './exec.js';

/** URL- and config-safe: letters and digits only, 24 of them (about 138 bits). */
export function generatePassword(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  // Rejection sampling keeps every character equally likely; 89% of bytes are kept, so one
  // round almost always suffices and ten never fail in practice.
  for (let round = 0; round < 10 && out.length < length; round++) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  if (out.length < length) throw new Error('generatePassword: not enough random bytes');
  return out;
}

/** PostgreSQL's stored form of a SCRAM-SHA-256 password (as `\password` would send it). */
export function scramSha256Verifier(
  password: string,
  salt = randomBytes(16),
  iterations = 4096,
): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** MariaDB's mysql_native_password hash: `*` + upper hex of SHA1(SHA1(password)). */
export function mysqlNativeHash(password: string): string {
  const inner = createHash('sha1').update(password).digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

export function tsigSecret(): string {
  return randomBytes(32).toString('base64');
}

/** A BIND key clause, as `tsig-keygen -a hmac-sha256 NAME` writes it. */
export function renderTsigKey(name: string, secret: string): string {
  return `key "${name}" {\n\talgorithm hmac-sha256;\n\tsecret "${secret}";\n};\n`;
}

export function parseTsigSecret(keyFile: string): string | undefined {
  return /secret\s+"([^"]+)"/.exec(keyFile)?.[1];
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  if (user === 'root') return { uid: 0, gid: 0 };
  const r = await run(['id', '-u', user]);
  const g = await run(['id', '-g', user]);
  const uid = Number(r.stdout.trim());
  const gid = Number(g.stdout.trim());
  if (r.code !== 0 || g.code !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new LifeboatError('LB_E_LAB_TOOL_MISSING', `user '${user}' does not exist`, {
      hint: 'its Debian package creates it: run `lifeboat lab install`',
    });
  }
  return { uid, gid };
}

const idCache = new Map<string, Promise<{ uid: number; gid: number }>>();

export function userIds(user: string): Promise<{ uid: number; gid: number }> {
  let p = idCache.get(user);
  if (!p) {
    p = idsOf(user);
    idCache.set(user, p);
    p.catch(() => idCache.delete(user));
  }
  return p;
}

/** Writes a file only its owner may read; with `owner`, chowns it to that user. */
export async function writePrivate(path: string, text: string, owner = 'root'): Promise<void> {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode through writeFileSync
  if (owner !== 'root') {
    const { uid, gid } = await userIds(owner);
    chownSync(path, uid, gid);
  }
}

/** The secret in `path`, creating it first when it does not exist (so `up` twice keeps it). */
export async function ensureSecret(
  path: string,
  make: () => string = generatePassword,
  owner = 'root',
): Promise<string> {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  await writePrivate(path, `${value}\n`, owner);
  return value;
}

export async function chownTo(path: string, user: string): Promise<void> {
  const { uid, gid } = await userIds(user);
  chownSync(path, uid, gid);
}
