// DNS traffic switching: RFC 2136 + TSIG (BIND, Knot, any RFC 2136 server) and the PowerDNS API.
export { type PowerDnsConfig, PowerDnsDriver } from './powerdns.js';
export {
  DEFAULT_TIMING,
  type DnsRecordConfig,
  type DnsTiming,
} from './record.js';
export { type Rfc2136Config, Rfc2136Driver, updateError } from './rfc2136.js';
export { type DnsServer, type DnsTransport, udpThenTcp } from './transport.js';
export { type TsigAlgorithm, type TsigKey, tsigSign, tsigVerify } from './tsig.js';
