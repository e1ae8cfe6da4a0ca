// JSON as the store keeps it. Data is checked before it is written, so that what a store returns
// is exactly what was given (no Date turned into a string, no NaN turned into null, no undefined
// dropped), and so that the audit chain can hash the canonical form and find it again on reading.
import { LifeboatError } from '../core/errors/index.js';
import type { JsonValue } from './types.js';

/**
 * 256 KiB per journal entry, audit entry or run document: far above what a step records, and well
 * under etcd's default 1.5 MiB request limit, so the etcd store can take the same data.
 */
export const MAX_DATA_BYTES = 256 * 1024;

const MAX_DEPTH = 64;

/** Throws LB_E_STORE_INVALID unless `value` is plain JSON: null, booleans, finite numbers, strings, arrays, plain objects. */
export function assertJson(
  value: unknown,
  what: string,
  path = '$',
  depth = 0,
): asserts value is JsonValue {
  // A cycle would recurse until the stack overflows; no journal entry needs 64 levels.
  if (depth > MAX_DEPTH)
    throw invalid(`${what}: ${path} is nested more than ${MAX_DEPTH} levels (a cycle?)`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw invalid(`${what}: ${path} is ${value}, which JSON cannot hold`);
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertJson(v, what, `${path}[${i}]`, depth + 1);
    });
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw invalid(
        `${what}: ${path} is a ${proto?.constructor?.name ?? 'non-plain'} object, not plain JSON`,
      );
    }
    for (const [k, v] of Object.entries(value)) assertJson(v, what, `${path}.${k}`, depth + 1);
    return;
  }
  throw invalid(`${what}: ${path} is ${typeof value}, not JSON`);
}

/** The JSON text to store for `value`, checked and size-limited. */
export function toJsonText(value: unknown, what: string): string {
  assertJson(value, what);
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > MAX_DATA_BYTES) {
    throw invalid(
      `${what} is ${Buffer.byteLength(text)} bytes of JSON; the limit is ${MAX_DATA_BYTES}`,
    );
  }
  return text;
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers and strings as
 * JSON.stringify writes them. Two equal values always give the same text, whatever the key order
 * they were built with, which is what lets a hash be recomputed from stored columns.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as { readonly [key: string]: JsonValue };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as JsonValue)}`).join(',')}}`;
}

/** Throws LB_E_STORE_INVALID unless `value` is a non-empty string of at most `max` characters. */
export function assertName(value: unknown, what: string, max = 512): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw invalid(`${what} must be a non-empty string of at most ${max} characters`);
  }
}

export function assertCount(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${what} must be a non-negative integer, not ${String(value)}`);
  }
}

export function invalid(message: string): LifeboatError {
  return new LifeboatError('LB_E_STORE_INVALID', message);
}
