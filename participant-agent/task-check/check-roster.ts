/**
 * The secure-aggregation roster a task names (the organisations whose masks
 * cancel in the sum) checked against the signed offer and the organisation's
 * policy. A coordinator that could choose the roster freely could fill it
 * with organisations of its own, or shrink it, until the "secure" sum is one
 * organisation's update.
 */
import { shownValue } from '../../common/ids';
import type { ApprovedJob } from './approved-job';
import type { TaskRefusal } from './task-refusal';

function refused(message: string): TaskRefusal {
  return { code: 'ROSTER_NOT_APPROVED', field: 'secure.identityKeys', message };
}

/** The refusal when the roster is not one the organisation agreed to mask with, else null. */
export function checkRoster(job: ApprovedJob, roster: readonly string[]): TaskRefusal | null {
  const { spec, orgId, rosterFloor, pinnedPeers } = job;
  const invited = new Set(spec.invitedOrgs);
  const strangers = roster.filter((org) => !invited.has(org));
  if (strangers.length > 0) return refused(`the roster names ${list(strangers)}, not invited by the signed offer`);
  if (!roster.includes(orgId)) return refused(`the roster does not include this organisation (${orgId})`);
  if (roster.length < rosterFloor) {
    return refused(`the roster has ${roster.length} organisation(s); this organisation masks with at least ${rosterFloor} (the job's minParticipants ${spec.minParticipants}, the policy's privacy.minParticipantsPerRound)`);
  }
  if (pinnedPeers) {
    const unpinned = roster.filter((org) => org !== orgId && !pinnedPeers.has(org));
    if (unpinned.length > 0) return refused(`the roster names ${list(unpinned)}, not among the policy's privacy.peers`);
  }
  return null;
}

/** Org ids as they may appear in a message: quoted and bounded, since they come from the coordinator. */
function list(orgs: string[]): string {
  const shown = orgs.slice(0, 5).map(shownValue).join(', ');
  return orgs.length > 5 ? `${shown} and ${orgs.length - 5} more` : shown;
}
