import { defineCodes } from '../code-info.js';

/** Codes of the keepalived (VRRP VIP) driver. */
export const KEEPALIVED_CODES = defineCodes({
  LB_E_KEEPALIVED_NOPREEMPT: {
    summary:
      'The VRRP instance is configured with `nopreempt`: a higher priority does not take the VIP from the current holder, so Lifeboat cannot move it by changing priorities.',
    fix: 'Remove `nopreempt` (and set `state BACKUP` on every node) if a planned switch must move the VIP, or move it by stopping keepalived on the holder by hand.',
    retryable: false,
  },
  LB_E_KEEPALIVED_CONFIG_EDIT: {
    summary:
      'The keepalived configuration file does not have the shape Lifeboat edits: the `vrrp_instance` named in the plan with exactly one `priority` line.',
    fix: 'Give the instance one `priority N` line in the file the plan names (not in an included file), or correct the instance name in the plan.',
    retryable: false,
  },
});
