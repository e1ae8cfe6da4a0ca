// How clients find the service, and so how traffic moves when it fails over.
import { z } from 'zod';
import { absolutePath, duration, host, name, secretRef, text } from './primitives.js';

const DNS_NAME_RE =
  /^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
const dnsName = (description: string) =>
  z.string().max(253).regex(DNS_NAME_RE, { message: 'is not a DNS name' }).describe(description);

export const dnsTrafficSchema = z
  .strictObject({
    kind: z.literal('dns').describe('Traffic follows a DNS record.'),
    record: dnsName('The record clients resolve, e.g. `trunk.rdoproject.org`.'),
    zone: dnsName('The zone that holds the record.'),
    type: z.enum(['A', 'AAAA', 'CNAME']).default('A').describe('Record type.'),
    ttl: duration('TTL of the record: resolvers may keep the old answer this long after a switch.'),
    provider: z
      .enum(['rfc2136', 'powerdns', 'manual'])
      .default('rfc2136')
      .describe('How the record is changed: RFC 2136 update, PowerDNS API, or by hand.'),
    server: host('The authoritative server to update and to read back from.').optional(),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Port of the server (DNS or API).'),
    tsigKey: name('For `rfc2136`: TSIG key name.').optional(),
    tsigAlgorithm: z
      .enum(['hmac-sha256', 'hmac-sha512'])
      .default('hmac-sha256')
      .describe('TSIG algorithm.'),
    tsigSecret: secretRef('For `rfc2136`: the TSIG key secret (base64).').optional(),
    apiKey: secretRef('For `powerdns`: the API key.').optional(),
    values: z
      // Written into DNS updates: an address or a host name (for CNAME), nothing a resolver or
      // an update script could read as more than one value.
      .record(
        name('Node or site name.'),
        host('Record value: an address, or a host name for CNAME.'),
      )
      .optional()
      .describe(
        "The record's value when each node (or site) is active; default: the node's address.",
      ),
  })
  .describe('A DNS record moved between sites.');

export const haproxyTrafficSchema = z
  .strictObject({
    kind: z.literal('haproxy').describe('Traffic goes through an HAProxy backend.'),
    backend: name('The HAProxy backend.'),
    servers: z
      .record(name('Node name.'), name('HAProxy server name in the backend.'))
      .describe('Which HAProxy server of the backend is which node.'),
    socket: absolutePath('Runtime API unix socket.').optional(),
    address: host('Runtime API TCP address.').optional(),
    port: z.number().int().min(1).max(65535).optional().describe('Runtime API TCP port.'),
    readOnlyMap: absolutePath('Map file whose entry switches the frontend read-only.').optional(),
    readOnlyKey: name('Key of the read-only entry in that map (default `mode`).').optional(),
    stateFile: absolutePath(
      'HAProxy `server-state-file`: written after each switch, so that a reload keeps it.',
    ).optional(),
    node: name('The node that runs HAProxy (a failure domain too).').optional(),
  })
  .describe('An HAProxy backend whose servers are switched.');

export const vipTrafficSchema = z
  .strictObject({
    kind: z.literal('vip').describe('Traffic goes to a virtual IP moved by keepalived (VRRP).'),
    address: z
      .string()
      .regex(/^[0-9A-Fa-f:.]+\/[0-9]{1,3}$/, {
        message: 'must be an address with prefix length, e.g. `10.0.0.100/24`',
      })
      .describe('The VIP with its prefix length.'),
    interface: name('Network interface carrying the VIP.').optional(),
    routerId: z.number().int().min(1).max(255).describe('VRRP virtual router id.'),
    instance: name(
      'The `vrrp_instance` name in the keepalived configuration (needed for Lifeboat to move the VIP).',
    ).optional(),
    configFile: absolutePath(
      'keepalived configuration file on each node; `{node}` stands for the node name.',
    ).default('/etc/keepalived/keepalived.conf'),
    pidFile: absolutePath(
      'keepalived PID file on each node (to reload it); `{node}` stands for the node name.',
    ).default('/run/keepalived.pid'),
    priorities: z
      .record(name('Node name.'), z.number().int().min(1).max(254))
      .optional()
      .describe('VRRP priority of each node.'),
  })
  .describe('A keepalived-managed virtual IP.');

export const noTrafficSchema = z
  .strictObject({
    kind: z
      .literal('none')
      .describe('Nothing to switch (clients use every site, or are reconfigured by hand).'),
    description: text('How clients do reach the service.').optional(),
  })
  .describe('No traffic switching.');

export const trafficSchema = z
  .discriminatedUnion('kind', [
    dnsTrafficSchema,
    haproxyTrafficSchema,
    vipTrafficSchema,
    noTrafficSchema,
  ])
  .describe('How traffic is moved: `dns`, `haproxy`, `vip` or `none`.');
