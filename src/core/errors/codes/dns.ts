import { defineCodes } from '../code-info.js';

/** Codes of the DNS drivers (RFC 2136 + TSIG, PowerDNS HTTP API). */
export const DNS_CODES = defineCodes({
  LB_E_DNS_REFUSED: {
    summary:
      'The authoritative DNS server answered REFUSED: it does not accept this update (or query) from Lifeboat, or does not serve the zone right now.',
    fix: "Check the zone's update policy (BIND `allow-update`/`update-policy` for the TSIG key, PowerDNS API rights) and that the server is authoritative for the zone; a server still loading the zone refuses too, so a retry may succeed.",
    retryable: true,
  },
  LB_E_DNS_SERVFAIL: {
    summary:
      'The DNS server (or the PowerDNS API) failed internally: SERVFAIL, or an HTTP 5xx answer.',
    fix: "Read the server's log (a zone that failed to load, a journal it cannot write, a backend database down); a retry may succeed once it is fixed.",
    retryable: true,
  },
  LB_E_DNS_UPDATE_REJECTED: {
    summary:
      'The DNS server rejected the change itself (FORMERR, NOTZONE, NOTIMP, a failed prerequisite, or an HTTP 4xx from the PowerDNS API other than 401/403).',
    fix: 'Check that the record is inside the zone named in the plan, that the value fits the record type, and that no other record (e.g. a CNAME) occupies the name.',
    retryable: false,
  },
});
