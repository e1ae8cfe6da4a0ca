// Pure: what the signed-in role may do. The server decides; the dashboard only hides buttons
// that would be refused.
import { API_ROLES, type ApiRole } from '../../../src/server/api-types.js';

export function roleRank(role: string | undefined): number {
  return role === undefined ? -1 : (API_ROLES as readonly string[]).indexOf(role);
}

/** `role` includes `needed` (roles include the ones before them); unknown roles include nothing. */
export function roleAtLeast(role: string | undefined, needed: ApiRole | string): boolean {
  const have = roleRank(role);
  const want = roleRank(needed);
  return have >= 0 && want >= 0 && have >= want;
}

/** Approving a step needs approver and above, and the step's own role when it names an API role. */
export function canApprove(role: string | undefined, stepRole: string | undefined): boolean {
  if (!roleAtLeast(role, 'approver')) return false;
  if (stepRole !== undefined && roleRank(stepRole) >= 0) return roleAtLeast(role, stepRole);
  return true;
}

export function canAbort(role: string | undefined): boolean {
  return roleAtLeast(role, 'approver');
}
