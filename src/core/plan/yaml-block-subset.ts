// A fast parser for the YAML most plans are written in: block mappings and block sequences
// (compact `- key: value` items and sequences at their key's indentation included), plain
// scalars on one line, single- and double-quoted scalars on one line without escapes, and
// comments. It builds the plain JavaScript value `yaml` would build, and where each entry
// starts, in one pass over the text.
//
// It refuses — returns undefined, and the caller parses the file with `yaml` — anything else:
// flow collections, block scalars, multi-line scalars, escapes, anchors, aliases, tags,
// directives, document markers, explicit or quoted or non-string keys, tabs, carriage returns,
// control characters, duplicate keys, `<<` and prototype keys, deep nesting. So every file with
// a problem to report, and every construct with subtle rules, takes the complete path.
import { isStringKey, resolvePlain, UNRESOLVED } from './yaml-scalars.js';

/**
 * Where the entries of every collection start, as integers in one typed array (whose storage
 * the garbage collector neither scans nor copies). Each collection is a block: a header, then
 * its entries in the file's order. A mapping's header is its number of keys, and each entry is
 * `keyId, keyOffset, valueOffset, child` (valueOffset −1 when the value is a collection); a
 * sequence's header is −1 − its number of items, and each item is `itemOffset, child`. `child`
 * is where the value's block starts, −1 for a scalar. A key id indexes `keys`.
 */
export interface Positions {
  blocks: Int32Array;
  /** The root mapping's block. */
  root: number;
  keys: readonly string[];
  keyIds: ReadonlyMap<string, number>;
}

export interface SubsetParse {
  value: Record<string, unknown>;
  /** Where the top-level mapping starts (its first key), as `yaml` ranges it. */
  rootOffset: number;
  positions: Positions;
}

/** Characters the YAML subset never contains (tab, CR, other controls, BOM, line separators). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const REFUSED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/;
/** Deeper files take the complete path, which reports the exact level past the limit. */
const MAX_DEPTH = 48;
/** `yaml` refuses implicit keys of more than 1024 characters. */
const MAX_KEY = 1000;
const REFUSED_KEYS = new Set(['<<', '__proto__', 'constructor', 'prototype']);

const SPACE = 32;
const NEWLINE = 10;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DOUBLE = 34;
const SINGLE = 39;
const BACKSLASH = 92;

class Refused {}
const REFUSED = new Refused();

function refuse(): never {
  throw REFUSED;
}

/** Characters that may not start a plain scalar in this subset (YAML indicators, quotes). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 33: // !
    case 34: // "
    case 37: // %
    case 38: // &
    case 39: // '
    case 42: // *
    case 44: // ,
    case 58: // :
    case 62: // >
    case 63: // ?
    case 64: // @
    case 91: // [
    case 93: // ]
    case 96: // `
    case 123: // {
    case 124: // |
    case 125: // }
    case HASH:
      return true;
    default:
      return false;
  }
}

/** The file's value and positions, or undefined when the file is outside the subset. */
export function parseBlockSubset(text: string): SubsetParse | undefined {
  if (REFUSED_CHARS.test(text)) return undefined;
  try {
    return new BlockSubsetParser(text).parse();
  } catch (e) {
    if (e === REFUSED) return undefined;
    throw e;
  }
}

class BlockSubsetParser {
  private readonly len: number;
  /** The block of the collection parsed last (set by parseMap and parseSeq), −1 for a scalar. */
  private positions = -1;
  /** The current content line: where it starts, its indentation, its first character. */
  private lineStart = 0;
  private indent = 0;
  private content = 0;
  private eof = false;

  /**
   * The id of each key met so far, or −1 when it is refused (not a plain string key, or a
   * refused name): a file repeats a few dozen keys thousands of times, asking the core schema's
   * tags is the slow part of a key, and the value and positions keep one copy of each.
   */
  private readonly keyIds = new Map<string, number>();
  private readonly keys: string[] = [];

  constructor(private readonly text: string) {
    this.len = text.length;
  }

  /**
   * The entries of the collections being parsed, innermost last: a collection's are copied
   * into `blocks` when it ends, and a sequence's items into an array of their exact size
   * (arrays grown by push keep up to half again as many slots, and every one of them stays
   * alive with the plan). `posTop` and `itemTop` are the used lengths; neither array shrinks.
   */
  private readonly pos: number[] = [];
  private posTop = 0;
  private readonly items: unknown[] = [];
  private itemTop = 0;
  private blocks = new Int32Array(1024);
  private blocksTop = 0;

  private pushKeyPos(keyId: number, keyStart: number, valueOffset: number, child: number) {
    const pos = this.pos;
    pos[this.posTop++] = keyId;
    pos[this.posTop++] = keyStart;
    pos[this.posTop++] = valueOffset;
    pos[this.posTop++] = child;
  }

  private pushItemPos(offset: number, child: number) {
    this.pos[this.posTop++] = offset;
    this.pos[this.posTop++] = child;
  }

  /** Writes the block of the collection whose entries start at `base`; returns where it starts. */
  private popBlock(base: number, header: number): number {
    const size = this.posTop - base;
    if (this.blocksTop + 1 + size > this.blocks.length) {
      const grown = new Int32Array(Math.max(2 * this.blocks.length, this.blocksTop + 1 + size));
      grown.set(this.blocks.subarray(0, this.blocksTop));
      this.blocks = grown;
    }
    const start = this.blocksTop;
    const blocks = this.blocks;
    blocks[start] = header;
    const pos = this.pos;
    for (let i = 0; i < size; i++) blocks[start + 1 + i] = pos[base + i] as number;
    this.blocksTop = start + 1 + size;
    this.posTop = base;
    return start;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = !REFUSED_KEYS.has(key) && isStringKey(key) ? this.keys.push(key) - 1 : -1;
      this.keyIds.set(key, id);
    }
    return id;
  }

  parse(): SubsetParse {
    this.nextLine(0);
    if (this.eof || this.indent !== 0 || this.isDash()) refuse();
    const rootOffset = this.content;
    const value = this.parseMap(0, 1);
    if (!this.eof) refuse();
    const positions: Positions = {
      blocks: this.blocks.slice(0, this.blocksTop),
      root: this.positions,
      keys: this.keys,
      keyIds: this.keyIds,
    };
    return { value, rootOffset, positions };
  }

  /** Moves to the first line from `p` (a line start) with content, skipping blanks and comments. */
  private nextLine(p: number): void {
    const text = this.text;
    const len = this.len;
    for (;;) {
      let q = p;
      while (text.charCodeAt(q) === SPACE) q++;
      if (q >= len) {
        this.eof = true;
        return;
      }
      const c = text.charCodeAt(q);
      if (c === NEWLINE) {
        p = q + 1;
        continue;
      }
      if (c === HASH) {
        const nl = text.indexOf('\n', q);
        if (nl < 0) {
          this.eof = true;
          return;
        }
        p = nl + 1;
        continue;
      }
      // Document markers and directives start at the first column.
      if (q === p && (c === 37 || this.isMarker(q))) refuse();
      this.lineStart = p;
      this.indent = q - p;
      this.content = q;
      return;
    }
  }

  private isMarker(q: number): boolean {
    const text = this.text;
    const c = text.charCodeAt(q);
    if (c !== DASH && c !== 46) return false;
    return text.charCodeAt(q + 1) === c && text.charCodeAt(q + 2) === c;
  }

  /** After a value or an indicator at `p`: the rest of the line may hold spaces and a comment. */
  private endLine(p: number): void {
    const text = this.text;
    const start = p;
    while (text.charCodeAt(p) === SPACE) p++;
    if (p >= this.len) {
      this.eof = true;
      return;
    }
    const c = text.charCodeAt(p);
    if (c === NEWLINE) {
      this.nextLine(p + 1);
      return;
    }
    if (c !== HASH || (p === start && text.charCodeAt(p - 1) !== SPACE)) refuse();
    const nl = text.indexOf('\n', p);
    if (nl < 0) this.eof = true;
    else this.nextLine(nl + 1);
  }

  private isDash(): boolean {
    const text = this.text;
    const q = this.content;
    if (text.charCodeAt(q) !== DASH) return false;
    const n = text.charCodeAt(q + 1);
    return q + 1 >= this.len || n === SPACE || n === NEWLINE;
  }

  private parseNode(indent: number, depth: number): unknown {
    return this.isDash() ? this.parseSeq(indent, depth) : this.parseMap(indent, depth);
  }

  private parseMap(indent: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) refuse();
    const text = this.text;
    const obj: Record<string, unknown> = {};
    const posBase = this.posTop;
    for (;;) {
      const keyStart = this.content;
      const colon = this.scanKey(keyStart);
      const id = this.keyId(text.slice(keyStart, colon));
      if (id < 0) refuse();
      const key = this.keys[id] as string;
      if (Object.hasOwn(obj, key)) refuse();
      let p = colon + 1;
      while (text.charCodeAt(p) === SPACE) p++;
      const c = text.charCodeAt(p);
      let value: unknown = null;
      let valueOffset = -1;
      this.positions = -1;
      if (p >= this.len || c === NEWLINE || c === HASH) {
        this.endLine(p);
        if (!this.eof && this.indent > indent) value = this.parseNode(this.indent, depth + 1);
        else if (!this.eof && this.indent === indent && this.isDash())
          value = this.parseSeq(indent, depth + 1);
        else valueOffset = p;
      } else {
        value = this.parseScalar(p);
        valueOffset = p;
      }
      obj[key] = value;
      this.pushKeyPos(id, keyStart, valueOffset, this.positions);
      if (this.eof || this.indent < indent) {
        this.positions = this.popBlock(posBase, (this.posTop - posBase) / 4);
        return obj;
      }
      if (this.indent > indent || this.isDash()) refuse();
    }
  }

  private parseSeq(indent: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) refuse();
    const text = this.text;
    const posBase = this.posTop;
    const itemBase = this.itemTop;
    for (;;) {
      let p = this.content + 1;
      while (text.charCodeAt(p) === SPACE) p++;
      const c = text.charCodeAt(p);
      let value: unknown = null;
      let offset = p;
      this.positions = -1;
      if (p >= this.len || c === NEWLINE || c === HASH) {
        this.endLine(p);
        if (!this.eof && this.indent > indent) {
          offset = this.content;
          value = this.parseNode(this.indent, depth + 1);
        }
      } else if (c === DASH && this.isDashAt(p)) {
        refuse();
      } else if (this.isKeyAt(p)) {
        this.indent = p - this.lineStart;
        this.content = p;
        value = this.parseMap(this.indent, depth + 1);
      } else {
        value = this.parseScalar(p);
      }
      this.items[this.itemTop++] = value;
      this.pushItemPos(offset, this.positions);
      if (!this.eof && this.indent > indent) refuse();
      if (this.eof || this.indent < indent || !this.isDash()) {
        this.positions = this.popBlock(posBase, -1 - (this.posTop - posBase) / 2);
        const arr = this.items.slice(itemBase, this.itemTop);
        this.itemTop = itemBase;
        return arr;
      }
    }
  }

  private isDashAt(p: number): boolean {
    const n = this.text.charCodeAt(p + 1);
    return p + 1 >= this.len || n === SPACE || n === NEWLINE;
  }

  /** Whether a plain key (`key:` then a space or the line's end) starts at `p`. */
  private isKeyAt(p: number): boolean {
    const text = this.text;
    if (isIndicator(text.charCodeAt(p))) return false;
    for (let q = p; q < this.len; q++) {
      const ch = text.charCodeAt(q);
      if (ch === NEWLINE) return false;
      if (ch === COLON) {
        const n = text.charCodeAt(q + 1);
        if (q + 1 >= this.len || n === SPACE || n === NEWLINE) return true;
      } else if (ch === SPACE && text.charCodeAt(q + 1) === HASH) return false;
    }
    return false;
  }

  /** The offset of the `:` ending the plain key that starts at `start`. */
  private scanKey(start: number): number {
    const text = this.text;
    const first = text.charCodeAt(start);
    if (isIndicator(first) || first === DASH) refuse();
    for (let q = start; q < this.len; q++) {
      const ch = text.charCodeAt(q);
      if (ch === NEWLINE) break;
      if (ch === COLON) {
        const n = text.charCodeAt(q + 1);
        if (q + 1 >= this.len || n === SPACE || n === NEWLINE) {
          if (text.charCodeAt(q - 1) === SPACE || q - start > MAX_KEY) break;
          return q;
        }
      } else if (ch === SPACE && text.charCodeAt(q + 1) === HASH) break;
    }
    return refuse();
  }

  /** A scalar that starts at `p` and ends its line; moves to the next content line. */
  private parseScalar(p: number): unknown {
    const text = this.text;
    const len = this.len;
    const c = text.charCodeAt(p);
    if (c === DOUBLE) {
      let q = p + 1;
      for (; q < len; q++) {
        const ch = text.charCodeAt(q);
        if (ch === DOUBLE) break;
        if (ch === BACKSLASH || ch === NEWLINE) refuse();
      }
      if (q >= len) refuse();
      this.endLine(q + 1);
      return text.slice(p + 1, q);
    }
    if (c === SINGLE) {
      let value = '';
      let from = p + 1;
      for (;;) {
        const q = text.indexOf("'", from);
        const nl = text.indexOf('\n', from);
        if (q < 0 || (nl >= 0 && nl < q)) refuse();
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) !== SINGLE) {
          this.endLine(q + 1);
          return value;
        }
        value += "'";
        from = q + 2;
      }
    }
    if (isIndicator(c) || (c === DASH && this.isDashAt(p))) refuse();
    let end = p;
    let q = p;
    for (; q < len; q++) {
      const ch = text.charCodeAt(q);
      if (ch === NEWLINE) break;
      if (ch === SPACE) {
        if (text.charCodeAt(q + 1) === HASH) break;
        continue;
      }
      if (ch === COLON) {
        const n = text.charCodeAt(q + 1);
        if (q + 1 >= len || n === SPACE || n === NEWLINE) refuse();
      }
      end = q + 1;
    }
    const value = resolvePlain(text.slice(p, end));
    if (value === UNRESOLVED) refuse();
    this.endLine(q);
    return value;
  }
}
