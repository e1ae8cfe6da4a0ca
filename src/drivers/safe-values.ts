// Values from a plan reach shells, SQL, DNS and the HAProxy runtime API. Drivers pass them as data
// (argv arrays, query parameters) and, where a protocol has no parameters, accept only these shapes.
// Each check refuses with LB_E_DRIVER_BAD_INPUT before anything runs.
import { LifeboatError } from '../core/errors/index.js';
import { hasControlCharacter } from '../core/util/text.js';

function refuse(what: string, why: string): never {
  throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} ${why}`);
}

/** A plan name: HAProxy backend/server, SQL role, database, systemd unit. */
export function safeName(value: string, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value)) {
    refuse(what, 'must be 1-63 letters, digits, `.`, `_` or `-`, starting with a letter or digit');
  }
  return value;
}

/** A SQL identifier we quote ourselves: letters, digits, `_` only. */
export function safeSqlIdentifier(value: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value))
    refuse(what, 'must be a SQL identifier (letters, digits, `_`)');
  return value;
}

export function safeHost(value: string, what: string): string {
  if (
    value.length > 253 ||
    !/^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|[0-9A-Fa-f:.]+)$/.test(
      value,
    )
  ) {
    refuse(what, 'must be a host name or an IP address');
  }
  return value;
}

export function safeDnsName(value: string, what: string): string {
  if (
    value.length > 253 ||
    !/^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(
      value,
    )
  ) {
    refuse(what, 'must be a DNS name');
  }
  return value;
}

/** An absolute path with no `..`, no control characters, not starting with `-`. */
export function safeAbsolutePath(value: string, what: string): string {
  if (!value.startsWith('/') || /(^|\/)\.\.(\/|$)/.test(value) || hasControlCharacter(value)) {
    refuse(what, 'must be an absolute path without `..` or control characters');
  }
  return value;
}

/** An argv element that must not be read as an option, and has no control characters. */
export function safeArg(value: string, what: string): string {
  if (value.startsWith('-'))
    refuse(what, 'must not start with `-` (it would be read as an option)');
  if (/[\0\n\r]/.test(value)) refuse(what, 'must not contain NUL or newline characters');
  return value;
}

export function safePort(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    refuse(what, 'must be a port number 1-65535');
  return value;
}

/**
 * The source a node is told to replicate from: a valid host and port, and not the node itself.
 * Returns `host:port` for messages.
 */
export function checkedReplicaSource(
  self: { node: string; address?: string | undefined; port: number },
  source: { host: string; port: number },
): string {
  safeHost(source.host, 'source host');
  safePort(source.port, 'source port');
  const from = `${source.host}:${source.port}`;
  if (self.address !== undefined && self.address === source.host && self.port === source.port) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFLICT',
      `${self.node} cannot replicate from itself (${from})`,
    );
  }
  return from;
}
