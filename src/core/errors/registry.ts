// The one registry of coded errors. Each area keeps its codes in codes/<area>.ts; this file
// joins them. docs/errors.md is generated from here (npm run gen) and checked for drift in CI.
import type { CodeInfo } from './code-info.js';
import { ANSIBLE_CODES } from './codes/ansible.js';
import { CHECK_CODES } from './codes/check.js';
import { CLI_CODES } from './codes/cli.js';
import { COMMAND_CODES } from './codes/command.js';
import { CONTROLLER_CODES } from './codes/controller.js';
import { DNS_CODES } from './codes/dns.js';
import { DRIVER_CODES } from './codes/driver.js';
import { ENGINE_CODES } from './codes/engine.js';
import { KEEPALIVED_CODES } from './codes/keepalived.js';
import { LAB_CODES } from './codes/lab.js';
import { MARIADB_CODES } from './codes/mariadb.js';
import { NOTIFY_CODES } from './codes/notify.js';
import { PLAN_CODES } from './codes/plan.js';
import { POSTGRES_CODES } from './codes/postgres.js';
import { RSYNC_CODES } from './codes/rsync.js';
import { RUNBOOK_CODES } from './codes/runbook.js';
import { SERVER_CODES } from './codes/server.js';
import { SSH_CODES } from './codes/ssh.js';
import { STORE_CODES } from './codes/store.js';

export const ERROR_CODES = {
  ...CLI_CODES,
  ...CHECK_CODES,
  ...DRIVER_CODES,
  ...DNS_CODES,
  ...KEEPALIVED_CODES,
  ...LAB_CODES,
  ...PLAN_CODES,
  ...POSTGRES_CODES,
  ...MARIADB_CODES,
  ...COMMAND_CODES,
  ...SSH_CODES,
  ...RSYNC_CODES,
  ...ANSIBLE_CODES,
  ...STORE_CODES,
  ...RUNBOOK_CODES,
  ...ENGINE_CODES,
  ...CONTROLLER_CODES,
  ...SERVER_CODES,
  ...NOTIFY_CODES,
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const CODE_PATTERN = /^LB_E_[A-Z0-9]+(_[A-Z0-9]+)+$/;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

export function errorInfo(code: ErrorCode): CodeInfo {
  return ERROR_CODES[code];
}

/** The area of a code: LB_E_PLAN_YAML_SYNTAX → PLAN. */
export function areaOf(code: string): string {
  return code.split('_')[2] ?? '';
}
