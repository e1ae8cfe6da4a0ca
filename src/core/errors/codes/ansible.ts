import { defineCodes } from '../code-info.js';

/** Codes of the ansible driver (ansible-playbook runs). */
export const ANSIBLE_CODES = defineCodes({
  LB_E_ANSIBLE_TASK_FAILED: {
    summary:
      "A task of the playbook failed on a host; the message names the task, the host and Ansible's error.",
    fix: "Read the task's error, fix the playbook or the host, and run the step again (playbooks are expected to be idempotent).",
    retryable: false,
  },
  LB_E_ANSIBLE_HOST_UNREACHABLE: {
    summary:
      'Ansible could not reach one or more hosts (SSH connection or authentication failed); the message names them.',
    fix: 'Check that the hosts are up and reachable over SSH with the key and known_hosts Lifeboat uses; retry once they are back.',
    retryable: true,
  },
  LB_E_ANSIBLE_PLAYBOOK_ERROR: {
    summary:
      'ansible-playbook stopped before running tasks: a syntax error in the playbook or inventory, an unknown option, a missing file.',
    fix: 'Run `ansible-playbook --syntax-check` with the same playbook and inventory, fix what it reports, and run the step again.',
    retryable: false,
  },
  LB_E_ANSIBLE_NO_HOSTS: {
    summary:
      'The playbook matched no host (an empty inventory or a `limit` that selects nothing), so nothing was done.',
    fix: 'Check the inventory and the `limit` pattern of the plan: `ansible-playbook --list-hosts` shows what they select.',
    retryable: false,
  },
});
