// An in-memory authoritative DNS server behind a DnsTransport: answers queries, applies signed
// RFC 2136 updates (checking the TSIG MAC the way a server does) and signs its answers, so that
// the DNS driver's unit tests exercise the same bytes a real server would see.
import dnsPacket from 'dns-packet';
import type { DnsTransport } from '../../../../src/drivers/dns/transport.js';
import { extractTsig, type TsigKey, tsigSign } from '../../../../src/drivers/dns/tsig.js';
import { readName } from '../../../../src/drivers/dns/wire.js';

export class FakeAuthority {
  readonly records = new Map<string, { values: string[]; ttl: number }>();
  /** Every message received, in order. */
  readonly received: Buffer[] = [];
  /** Forces this RCODE on updates (REFUSED, SERVFAIL...). */
  updateRcode = 0;
  /** Answers updates with this TSIG error (signed), as BIND does for BADTIME. */
  tsigError = 0;
  /** Updates are applied but the change shows in queries only after this many queries. */
  lagQueries = 0;
  /** Throws this instead of answering. */
  fail: Error | undefined;

  constructor(
    private readonly key: TsigKey,
    private readonly now: () => number,
  ) {}

  set(name: string, values: string[], ttl = 5): void {
    this.records.set(`${name} A`, { values, ttl });
  }

  readonly transport: DnsTransport = async (_ctx, _server, msg) => {
    this.received.push(Buffer.from(msg));
    if (this.fail) throw this.fail;
    const opcode = (msg.readUInt16BE(2) >> 11) & 0xf;
    return opcode === 5 ? this.update(msg) : this.query(msg);
  };

  private pending: (() => void) | undefined;

  private query(msg: Buffer): Buffer {
    if (this.pending && this.lagQueries-- <= 0) {
      this.pending();
      this.pending = undefined;
    }
    const q = readName(msg, 12);
    const rr = this.records.get(`${q.name} A`);
    return dnsPacket.encode({
      type: 'response',
      id: msg.readUInt16BE(0),
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{ type: 'A', name: q.name }],
      answers: (rr?.values ?? []).map((data) => ({
        type: 'A',
        name: q.name,
        ttl: rr?.ttl ?? 0,
        data,
      })),
    });
  }

  private update(msg: Buffer): Buffer {
    const parts = extractTsig(msg);
    const expected =
      parts && tsigSign(parts.unsigned, this.key, { timeSigned: parts.tsig.timeSigned });
    const zoneEnd = readName(msg, 12).end + 4;
    const reply = (rcode: number, sign: boolean) => {
      const head = Buffer.from(msg.subarray(0, zoneEnd));
      head.writeUInt16BE(0x8000 | (5 << 11) | rcode, 2);
      head.writeUInt16BE(0, 6);
      head.writeUInt16BE(0, 8);
      head.writeUInt16BE(0, 10);
      if (!sign || !parts || !expected) return head;
      return tsigSign(head, this.key, {
        timeSigned: this.now(),
        requestMac: parts.tsig.mac,
        error: this.tsigError,
      }).message;
    };
    if (!parts || !expected?.mac.equals(parts.tsig.mac) || parts.tsig.keyName !== this.key.name) {
      return reply(9, false); // NOTAUTH, unsigned: what BIND does for BADSIG/BADKEY
    }
    if (this.tsigError) return reply(9, true);
    if (this.updateRcode) return reply(this.updateRcode, true);
    const apply = this.applyUpdates(parts.unsigned, zoneEnd);
    if (this.lagQueries > 0) this.pending = apply;
    else apply();
    return reply(0, true);
  }

  private applyUpdates(msg: Buffer, start: number): () => void {
    const ops: (() => void)[] = [];
    let at = start;
    const count = msg.readUInt16BE(6) + msg.readUInt16BE(8);
    for (let i = 0; i < count; i++) {
      const n = readName(msg, at);
      const cls = msg.readUInt16BE(n.end + 2);
      const ttl = msg.readUInt32BE(n.end + 4);
      const len = msg.readUInt16BE(n.end + 8);
      const rdata = msg.subarray(n.end + 10, n.end + 10 + len);
      at = n.end + 10 + len;
      if (i < msg.readUInt16BE(6)) continue; // prerequisites: not checked by this fake
      const k = `${n.name} A`;
      if (cls === 255) ops.push(() => this.records.delete(k));
      else if (cls === 1)
        ops.push(() => {
          const cur = this.records.get(k) ?? { values: [], ttl };
          this.records.set(k, { values: [...cur.values, [...rdata].join('.')], ttl });
        });
    }
    return () => {
      for (const op of ops) op();
    };
  }
}
