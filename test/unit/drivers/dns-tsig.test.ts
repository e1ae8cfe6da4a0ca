// TSIG against known vectors made by BIND's own nsupdate (captured on a loopback socket), and the
// UPDATE wire format that dns-packet cannot write (opcode 5, class ANY/NONE with empty RDATA).
import { describe, expect, it } from 'vitest';
import { extractTsig, tsigSign, tsigVerify } from '../../../src/drivers/dns/tsig.js';
import {
  addRR,
  buildQuery,
  buildUpdate,
  deleteRR,
  deleteRRset,
  encodeName,
  encodeRdata,
  lastAdditionalOffset,
  nameInUse,
} from '../../../src/drivers/dns/wire.js';
import { Secret } from '../../../src/drivers/secrets.js';

// `printf 'server 127.0.0.1 15353\nzone example.test.\nupdate delete app.example.test. A\n
//  update add app.example.test. 30 A 192.0.2.7\nsend\n' | nsupdate -y <alg>:lifeboat-test:<secret>`
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMw==';
const NSUPDATE = {
  'hmac-sha256':
    '262e28000001000000020001076578616d706c650474657374000006000103617070c00c000100ff000000000000c01e' +
    '000100010000001e0004c00002070d6c696665626f61742d746573740000fa00ff00000000003d0b686d61632d736861' +
    '3235360000006b01ce8b012c0020655bd0e1bb9b84f83598e8eae8b1f40e001dd386c4311839352e1e056e3f76fd262e' +
    '00000000',
  'hmac-sha512':
    '157228000001000000020001076578616d706c650474657374000006000103617070c00c000100ff000000000000c01e' +
    '000100010000001e0004c00002070d6c696665626f61742d746573740000fa00ff00000000005d0b686d61632d736861' +
    '3531320000006b01ce96012c00406597e22a9ba6cd8c4e9107956b256b9d39b37c375a2d3c325267f944932033846dd0' +
    '7718865479f788beb5981c1475b95ffabceb128a4d0a04367c54ac923bbd157200000000',
} as const;

const key = (algorithm: 'hmac-sha256' | 'hmac-sha512') => ({
  name: 'lifeboat-test',
  algorithm,
  secret: new Secret(SECRET, 'test'),
});

describe('TSIG (RFC 8945) against BIND nsupdate vectors', () => {
  for (const alg of ['hmac-sha256', 'hmac-sha512'] as const) {
    it(`${alg}: signing nsupdate's message at its time gives nsupdate's bytes`, () => {
      const wire = Buffer.from(NSUPDATE[alg], 'hex');
      const parts = extractTsig(wire);
      expect(parts?.tsig.keyName).toBe('lifeboat-test');
      expect(parts?.tsig.algorithm).toBe(alg);
      expect(parts?.tsig.fudge).toBe(300);
      const signed = tsigSign(parts!.unsigned, key(alg), { timeSigned: parts!.tsig.timeSigned });
      expect(signed.mac.equals(parts!.tsig.mac)).toBe(true);
      expect(signed.message.equals(wire)).toBe(true);
    });

    it(`${alg}: a wrong secret gives another MAC`, () => {
      const parts = extractTsig(Buffer.from(NSUPDATE[alg], 'hex'))!;
      const other = { ...key(alg), secret: new Secret('b3RoZXItc2VjcmV0', 'test') };
      const signed = tsigSign(parts.unsigned, other, { timeSigned: parts.tsig.timeSigned });
      expect(signed.mac.equals(parts.tsig.mac)).toBe(false);
    });
  }

  it('verifies a response signed over the request MAC, and rejects tampering and old times', () => {
    const k = key('hmac-sha256');
    const request = tsigSign(buildUpdate(7, 'example.test', [], []), k, { timeSigned: 1000 });
    const response = Buffer.from(buildUpdate(7, 'example.test', [], []));
    response.writeUInt16BE(0xa800, 2); // QR + UPDATE, NOERROR
    const signed = tsigSign(response, k, { timeSigned: 1001, requestMac: request.mac }).message;
    expect(tsigVerify(signed, k, request.mac, 1002)).toMatchObject({ ok: true });
    const tampered = Buffer.from(signed);
    tampered.writeUInt16BE(0xa805, 2); // REFUSED instead
    expect(tsigVerify(tampered, k, request.mac, 1002)).toMatchObject({ ok: false, why: 'bad mac' });
    expect(tsigVerify(signed, k, Buffer.alloc(32), 1002)).toMatchObject({
      ok: false,
      why: 'bad mac',
    });
    expect(tsigVerify(signed, k, request.mac, 1001 + 301)).toMatchObject({
      ok: false,
      why: 'bad time',
    });
    expect(tsigVerify(response, k, request.mac, 1002)).toMatchObject({
      ok: false,
      why: 'unsigned',
    });
    const otherKey = { ...k, name: 'someone-else' };
    expect(tsigVerify(signed, otherKey, request.mac, 1002)).toMatchObject({
      ok: false,
      why: 'wrong key',
    });
  });

  it('refuses a secret that is not base64, without quoting it', () => {
    const bad = { ...key('hmac-sha256'), secret: new Secret('not base64 $(id)', 'env:TSIG') };
    expect(() => tsigSign(buildQuery(1, 'a.test', 'A'), bad, { timeSigned: 1 })).toThrow(
      expect.objectContaining({
        code: 'LB_E_DRIVER_CONFIG',
        message: expect.not.stringContaining('$(id)'),
      }),
    );
  });
});

describe('UPDATE wire format', () => {
  it('has opcode 5 and the zone, prerequisite and update counts', () => {
    const m = buildUpdate(
      0x1234,
      'lab.test',
      [nameInUse('app.lab.test')],
      [deleteRRset('app.lab.test', 'A'), addRR('app.lab.test', 'A', 30, '10.77.0.2')],
    );
    expect(m.readUInt16BE(0)).toBe(0x1234);
    expect((m.readUInt16BE(2) >> 11) & 0xf).toBe(5);
    expect([4, 6, 8, 10].map((o) => m.readUInt16BE(o))).toEqual([1, 1, 2, 0]);
  });

  it('deletes an RRset with class ANY, TTL 0 and no RDATA; one RR with class NONE', () => {
    const name = encodeName('app.lab.test');
    const rrset = buildUpdate(1, 'lab.test', [], [deleteRRset('app.lab.test', 'A')]);
    const tail = rrset.subarray(rrset.length - 10);
    expect(rrset.subarray(rrset.length - 10 - name.length, rrset.length - 10).equals(name)).toBe(
      true,
    );
    expect([...tail]).toEqual([0, 1, 0, 255, 0, 0, 0, 0, 0, 0]);
    const one = buildUpdate(1, 'lab.test', [], [deleteRR('app.lab.test', 'A', '10.77.0.1')]);
    expect([...one.subarray(one.length - 14)]).toEqual([
      0, 1, 0, 254, 0, 0, 0, 0, 0, 4, 10, 77, 0, 1,
    ]);
  });

  it('encodes A, AAAA and CNAME values and refuses others', () => {
    expect([...encodeRdata('A', '192.0.2.7')]).toEqual([192, 0, 2, 7]);
    expect(encodeRdata('AAAA', '2001:db8::1').toString('hex')).toBe(
      '20010db8000000000000000000000001',
    );
    expect(encodeRdata('AAAA', '::ffff:192.0.2.1').toString('hex')).toBe(
      '00000000000000000000ffffc0000201',
    );
    expect(encodeRdata('CNAME', 'B.Lab.Test.').equals(encodeName('b.lab.test'))).toBe(true);
    for (const bad of ['10.77.0.256', '10.77.0.1;id', '$(id)', '10.77.0.1\n']) {
      expect(() => encodeRdata('A', bad)).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
    }
    expect(() => encodeRdata('AAAA', '10.0.0.1')).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });

  it('finds the TSIG record behind compressed names', () => {
    const wire = Buffer.from(NSUPDATE['hmac-sha256'], 'hex');
    expect(lastAdditionalOffset(wire)).toBe(wire.indexOf(Buffer.from('0d6c696665626f6174', 'hex')));
    expect(lastAdditionalOffset(buildQuery(1, 'a.test', 'A'))).toBeUndefined();
    expect(() => lastAdditionalOffset(wire.subarray(0, 40))).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_PROTOCOL' }),
    );
  });
});
