import { defineCodes } from '../code-info.js';

/** Codes of SSH connections (commands over SSH, rsync over SSH). */
export const SSH_CODES = defineCodes({
  LB_E_SSH_HOST_KEY_MISMATCH: {
    summary:
      'The SSH server presented a host key other than the one pinned in the plan; the connection was closed before any command ran.',
    fix: 'If the server was legitimately re-installed, compare its key out of band (`ssh-keyscan -t ed25519 <host>` run on a trusted network, checked against the server console) and update `ssh.hostKey` in the plan; otherwise treat it as an attack or a wrong address.',
    retryable: false,
  },
  LB_E_SSH_HOST_KEY_MISSING: {
    summary:
      'The node has no pinned SSH host key in the plan; Lifeboat never connects to an unverified server.',
    fix: "Get the key with `ssh-keyscan -t ed25519 <host>` from a trusted network, check it against the server (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console), and put `ssh-ed25519 AAAA...` in the node's `ssh.hostKey`.",
    retryable: false,
  },
  LB_E_SSH_CHANNEL: {
    summary:
      'The SSH server refused to open a session channel (too many sessions, or it is shutting down).',
    fix: "Retry; if it persists, raise `MaxSessions` in the server's sshd_config or run fewer commands at once.",
    retryable: true,
  },
});
