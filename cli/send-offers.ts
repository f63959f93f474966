/**
 * Publishes a job's offer to every invited organisation and relays each
 * answer to the job's coordinator. An organisation whose agent is not
 * listening yet is asked again until the admission window closes.
 */
import type { Bus } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { hasCode } from '../common/errors';
import type { JobSpec } from '../common/job-spec';
import type { Decision } from '../coordinator';
import type { JobOffer, OfferDecision } from '../participant-agent';

const ANSWER_TIMEOUT_MS = 5_000;
const RETRY_MS = 1_000;

export async function sendOffers(bus: Bus, spec: JobSpec, addresses: { coordinator: string; aggregator: string }, onDecision: (decision: OfferDecision) => void): Promise<OfferDecision[]> {
  const closesAt = Date.now() + spec.admissionSeconds * 1000;
  const offer: JobOffer = { spec, coordinator: addresses.coordinator, aggregator: addresses.aggregator, expiresAt: new Date(closesAt).toISOString() };
  const ask = async (orgId: string): Promise<OfferDecision> => {
    while (Date.now() < closesAt) {
      try {
        const answer = await bus.request<OfferDecision>(subjects.offers(orgId), offer, ANSWER_TIMEOUT_MS);
        const decision = { ...answer, orgId };
        const relayed: Decision = { orgId, accepted: decision.accepted, reason: decision.reason };
        bus.publish(subjects.decisions(spec.jobId), relayed);
        onDecision(decision);
        return decision;
      } catch (err) {
        if (!hasCode(err, 'BUS_NO_RESPONDERS') && !hasCode(err, 'BUS_TIMEOUT')) throw err;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
    return { orgId, jobId: spec.jobId, accepted: false, reason: 'no answer before the admission window closed' };
  };
  return Promise.all(spec.invitedOrgs.map(ask));
}
