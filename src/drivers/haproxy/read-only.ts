// Read-only mode through an HAProxy map: the frontend denies write methods while the map's key
// says `ro` (`http-request deny ... if write_method { str(mode),map(<file>,rw) -m str ro }`).
// `set map` switches it at runtime in well under a millisecond, without a reload; a reload reads
// the file again, so with `persist` the file is rewritten too.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LifeboatError } from '../../core/errors/index.js';
import type { EffectResult, OperationContext } from '../driver.js';
import { safeName } from '../safe-values.js';
import { parseMap } from './parse.js';
import { type RuntimeApi, safeMapPath, w } from './runtime-api.js';

const RO = 'ro';
const RW = 'rw';

/** Writes a file atomically (temporary file in the same directory, then rename). */
export function persistFile(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content, { mode: 0o644, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    throw new LifeboatError(
      'LB_E_DRIVER_COMMAND_FAILED',
      `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { hint: 'The runtime change is made; a reload would undo it until the file is written.' },
    );
  }
}

/** The map file's lines with `key` set to `value`; other keys and comments kept. */
export function mapFileWith(text: string, key: string, value: string): string {
  const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  let found = false;
  const out = lines.map((l) => {
    const k = l.trim().split(/\s+/)[0];
    if (k === key && !l.trim().startsWith('#')) {
      found = true;
      return `${key} ${value}`;
    }
    return l;
  });
  if (!found) out.push(`${key} ${value}`);
  return `${out.filter((l) => l !== '').join('\n')}\n`;
}

export class ReadOnlyMap {
  private readonly map: string;
  private readonly key: string;
  private readonly persist: boolean;

  constructor(
    private readonly api: RuntimeApi,
    cfg: { map: string; key?: string; persist?: boolean },
  ) {
    this.map = safeMapPath(cfg.map, 'the read-only map');
    this.key = safeName(cfg.key ?? 'mode', 'the read-only map key');
    this.persist = cfg.persist ?? false;
  }

  /** True when the key says `ro`; a missing key is `rw` (the rule's default). */
  async read(ctx: OperationContext): Promise<boolean> {
    const text = await this.api.run(ctx, [w('show'), w('map'), { path: this.map }]);
    return parseMap(text).get(this.key) === RO;
  }

  async set(ctx: OperationContext, readOnly: boolean): Promise<EffectResult> {
    const value = readOnly ? RO : RW;
    const before = await this.read(ctx);
    if (before === readOnly) {
      return {
        changed: false,
        detail: `the frontend is already ${readOnly ? 'read-only' : 'read-write'} (${this.map}: ${this.key} ${value})`,
        data: { readOnly },
      };
    }
    const t0 = performance.now();
    const set = [w('set'), w('map'), { path: this.map }, { name: this.key }, w(value)] as const;
    const answer = await this.api.run(ctx, set);
    if (/entry not found/i.test(answer)) {
      await this.api.set(ctx, [
        w('add'),
        w('map'),
        { path: this.map },
        { name: this.key },
        w(value),
      ]);
    } else if (answer !== '') {
      throw new LifeboatError(
        'LB_E_DRIVER_COMMAND_FAILED',
        `HAProxy refused set map: ${answer.split('\n')[0]?.slice(0, 160)}`,
      );
    }
    const ms = Math.round((performance.now() - t0) * 100) / 100;
    if ((await this.read(ctx)) !== readOnly) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFLICT',
        `${this.map}: ${this.key} does not read ${value} after set map`,
      );
    }
    if (this.persist) {
      let text = '';
      try {
        text = readFileSync(this.map, 'utf8');
      } catch {
        text = '';
      }
      persistFile(this.map, mapFileWith(text, this.key, value));
    }
    return {
      changed: true,
      detail: `the frontend is now ${readOnly ? 'read-only: write methods are refused' : 'read-write'} (${this.map}: ${this.key} ${value}, ${ms} ms, no reload${this.persist ? ', map file written' : ''})`,
      data: { readOnly, ms, persisted: this.persist },
    };
  }
}
