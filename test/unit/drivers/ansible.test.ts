// The ansible driver without running Ansible: every config field refused when hostile before any
// process starts, extra vars made unsafe for Jinja, and the verdict of a run from its events.
// Real runs (localhost and the lab's sshd) are in test/lab/drivers/ansible.test.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AnsibleConfig,
  AnsibleDriver,
  applyEvent,
  encodeExtraVars,
  newRunState,
  parseEventLine,
  verdict,
} from '../../../src/drivers/ansible/index.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'ansible');
const work = '/tmp/lifeboat-ansible-unit';
const HOSTILE = [';id', '$(id)', '`id`', 'a\nb', '--option', '../etc', "it's", ' x'];

const base = (over: Partial<AnsibleConfig> = {}): AnsibleConfig => ({
  name: 'web.redeploy',
  playbook: join(FIXTURES, 'create-file.yml'),
  inventory: join(FIXTURES, 'local.ini'),
  limit: 'web-a',
  extraVars: { target_file: join(work, 'marker.txt'), content: 'v1' },
  ...over,
});

describe('hostile configuration is refused before anything runs', () => {
  const fields: Array<[string, (v: string) => Partial<AnsibleConfig>]> = [
    ['name', (v) => ({ name: v })],
    ['playbook', (v) => ({ playbook: v.startsWith('/') ? v : `/x/${v}` })],
    ['inventory', (v) => ({ inventory: v })],
    ['limit', (v) => ({ limit: v })],
    ['user', (v) => ({ user: v })],
    ['namespace', (v) => ({ namespace: v })],
    ['ansiblePlaybook', (v) => ({ ansiblePlaybook: v })],
    ['extra var name', (v) => ({ extraVars: { [v]: 'x' } })],
    ['pinned host', (v) => ({ knownHosts: [{ host: v, hostKey: 'ssh-ed25519 AAAA' }] })],
    ['pinned key', (v) => ({ knownHosts: [{ host: 'h', hostKey: `ssh-ed25519 ${v}` }] })],
  ];
  for (const [field, patch] of fields) {
    it(field, () => {
      for (const v of HOSTILE) {
        if (field === 'playbook' && !/\n|\.\./.test(v)) continue; // `/x/;id` is a legal file name, passed after `--`
        expect(() => new AnsibleDriver(base(patch(v))), `${field}=${JSON.stringify(v)}`).toThrow(
          expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
        );
      }
    });
  }

  it('extra var values are wrapped unsafe, so Ansible never templates them', () => {
    expect(
      JSON.parse(encodeExtraVars({ a: "{{ lookup('pipe','id') }}", n: 1, l: ['x', { k: 'y' }] })),
    ).toEqual({
      a: { __ansible_unsafe: "{{ lookup('pipe','id') }}" },
      n: 1,
      l: [{ __ansible_unsafe: 'x' }, { k: { __ansible_unsafe: 'y' } }],
    });
    expect(() => encodeExtraVars({ a: { __ansible_unsafe: 'x' } })).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });
});

describe('events and verdict', () => {
  it('a task failure wins and names the task and the host', () => {
    const s = newRunState();
    for (const line of [
      'LIFEBOAT_EVENT {"event":"task","name":"Install httpd"}',
      'LIFEBOAT_EVENT {"event":"failed","host":"web-b","task":"Install httpd","msg":"No package httpd available.","ignored":false}',
      'LIFEBOAT_EVENT {"event":"unreachable","host":"web-c","task":"Install httpd","msg":"ssh: connect refused"}',
      '[WARNING]: not an event',
    ]) {
      const e = parseEventLine(line);
      if (e) applyEvent(s, e);
    }
    expect(verdict(s, { code: 2, stderr: '' }, 'playbook web')?.message).toBe(
      "playbook web: task 'Install httpd' failed on host web-b: No package httpd available.",
    );
  });

  it('a host that did not present its pinned key is a key mismatch, not a retryable unreachable', () => {
    const s = newRunState();
    applyEvent(s, {
      event: 'unreachable',
      host: 'web-b',
      task: 'Gathering Facts',
      msg: 'Failed to connect to the host via ssh: Host key verification failed.',
    });
    expect(verdict(s, { code: 4, stderr: '' }, 'p')).toMatchObject({
      code: 'LB_E_SSH_HOST_KEY_MISMATCH',
      retryable: false,
    });
  });

  it('ignored failures do not fail the run; unreachable hosts are named; exit status last', () => {
    const s = newRunState();
    applyEvent(s, { event: 'failed', host: 'a', task: 't', msg: 'm', ignored: true });
    expect(verdict(s, { code: 0, stderr: '' }, 'p')).toBeUndefined();
    applyEvent(s, { event: 'unreachable', host: 'a', task: 't', msg: 'Connection refused' });
    applyEvent(s, { event: 'unreachable', host: 'b', task: 't', msg: 'x' });
    expect(verdict(s, { code: 4, stderr: '' }, 'p')).toMatchObject({
      code: 'LB_E_ANSIBLE_HOST_UNREACHABLE',
      retryable: true,
      message: 'p: hosts a, b unreachable: Connection refused',
    });
    expect(verdict(newRunState(), { code: 4, stderr: 'ERROR! bad yaml' }, 'p')).toMatchObject({
      code: 'LB_E_ANSIBLE_PLAYBOOK_ERROR',
    });
  });
});
