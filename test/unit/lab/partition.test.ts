// The nftables rule sets of `lab partition`: which hooks drop what, for each kind of cut.
import { describe, expect, it } from 'vitest';
import {
  parseDirection,
  parseLink,
  parsePartitionedSites,
  renderHeal,
  renderPartition,
} from '../../../src/lab/partition.js';

const rules = (script: string) =>
  script
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.endsWith(' drop'));

describe('partition rule sets', () => {
  it('cuts a site off on forward, input and output: nothing in, nothing out', () => {
    const s = renderPartition({ site: 'a', direction: 'both', link: 'all' });
    expect(s).toContain('table bridge lifeboat_cut_a {');
    expect(s).toMatch(/chain cut_forward \{\s+type filter hook forward priority 0; policy accept;/);
    expect(s).toMatch(/hook input/);
    expect(s).toMatch(/hook output/);
    expect(rules(s)).toEqual([
      'iifname "va" drop',
      'oifname "va" drop',
      'iifname "va" drop',
      'oifname "va" drop',
    ]);
    expect(s).not.toContain('arp'); // a full cut is a blackhole, ARP included
  });

  it('replaces an earlier partition of the same site in one transaction', () => {
    const lines = renderPartition({ site: 'b', direction: 'both', link: 'all' }).split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'table bridge lifeboat_cut_b {}',
      'delete table bridge lifeboat_cut_b',
      'table bridge lifeboat_cut_b {',
    ]);
  });

  it('one-way in: drops only what goes to the site', () => {
    const s = renderPartition({ site: 'witness', direction: 'in', link: 'all' });
    expect(rules(s)).toEqual(['oifname "vw" drop', 'oifname "vw" drop']);
    expect(s).not.toMatch(/hook input/); // input = from the site to wan itself
    // ARP replies must still reach the site, or the open direction resolves no neighbour.
    expect(s.match(/ether type arp accept/g)).toHaveLength(2);
  });

  it('one-way out: drops only what comes from the site', () => {
    const s = renderPartition({ site: 'a', direction: 'out', link: 'all' });
    expect(rules(s)).toEqual(['iifname "va" drop', 'iifname "va" drop']);
    expect(s).not.toMatch(/hook output/);
  });

  it('link replication: only database ports between a and b, both ways, clients in wan untouched', () => {
    const s = renderPartition({ site: 'a', direction: 'both', link: 'replication' });
    const r = rules(s);
    expect(r).toHaveLength(4);
    for (const rule of r) {
      expect(rule).toMatch(/^iifname "v[ab]" oifname "v[ab]" tcp [sd]port \{ 5432, 3306 \} drop$/);
    }
    expect(r).toContain('iifname "va" oifname "vb" tcp dport { 5432, 3306 } drop');
    expect(r).toContain('iifname "vb" oifname "va" tcp sport { 5432, 3306 } drop');
    expect(s).not.toMatch(/hook (input|output)/);
  });

  it('link replication one-way out: only from the site to its peer', () => {
    const r = rules(renderPartition({ site: 'b', direction: 'out', link: 'replication' }));
    expect(r.every((x) => x.startsWith('iifname "vb" oifname "va"'))).toBe(true);
  });

  it('refuses --link replication for the witness, which has no database', () => {
    expect(() =>
      renderPartition({ site: 'witness', direction: 'both', link: 'replication' }),
    ).toThrow(/witness/);
  });

  it('never names a chain `fwd` (an nft keyword)', () => {
    expect(renderPartition({ site: 'a', direction: 'both', link: 'all' })).not.toMatch(/chain fwd/);
  });

  it('heals whether or not the table exists', () => {
    expect(renderHeal('a')).toBe(
      'table bridge lifeboat_cut_a {}\ndelete table bridge lifeboat_cut_a\n',
    );
  });

  it('reads the partitioned sites from `nft list tables`', () => {
    const out =
      'table bridge lifeboat_cut_b\ntable inet filter\ntable bridge lifeboat_cut_witness\n';
    expect(parsePartitionedSites(out)).toEqual(['b', 'witness']);
    expect(parsePartitionedSites('')).toEqual([]);
  });

  it('parses the CLI options', () => {
    expect(parseDirection(undefined)).toBe('both');
    expect(parseDirection('in')).toBe('in');
    expect(() => parseDirection('up')).toThrow(/in or out/);
    expect(parseLink(undefined)).toBe('all');
    expect(parseLink('replication')).toBe('replication');
    expect(() => parseLink('dns')).toThrow(/all or replication/);
  });
});
