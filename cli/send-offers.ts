/**
 * Signs a job's offer with the regulator's key, delivers it to every invited
 * organisation, and collects their signed decisions. Delivery is retried
 * until an agent acknowledges the offer (an agent may not be listening yet);
 * the decision itself arrives on the job's decisions subject, possibly much
 * later when a person at the organisation has to look at it first.
 */
import type { Bus } from '../common/bus/bus';
import { subjects } from '../common/bus/subjects';
import { errorMessage, hasCode } from '../common/errors';
import type { JobSpec } from '../common/job-spec';
import { offerHash, openDecision, signOffer, type DecisionBody, type OfferReceipt } from '../common/offer-protocol';
import type { IdentityKeyPair } from '../common/secagg';

const ANSWER_TIMEOUT_MS = 5_000;
const RETRY_MS = 1_000;

export interface OrgAnswer {
  orgId: string;
  accepted: boolean;
  /** The organisation's reason when it shares it; otherwise what is known (e.g. no answer). */
  reason: string;
  decidedBy: DecisionBody['decidedBy'] | null;
}

export interface OfferOptions {
  spec: JobSpec;
  addresses: { coordinator: string; aggregator: string };
  /** The regulator's signing key; agents accept only offers signed by the key their policy pins. */
  key: IdentityKeyPair;
  /** Called when an organisation's offer waits for a person there. */
  onPending?(orgId: string): void;
  onDecision(answer: OrgAnswer): void;
}

export async function sendOffers(bus: Bus, options: OfferOptions): Promise<OrgAnswer[]> {
  const { spec } = options;
  const closesAt = Date.now() + spec.admissionSeconds * 1000;
  const offer = signOffer({ spec, ...options.addresses, issuedAt: new Date().toISOString(), expiresAt: new Date(closesAt).toISOString() }, options.key);
  const ours = offerHash(offer);
  const answers = new Map<string, OrgAnswer>();
  let wake: () => void = () => undefined;
  const decisions = bus.subscribe(subjects.decisions(spec.jobId, '*'));
  const listening = (async () => {
    for await (const message of decisions) {
      let body: DecisionBody;
      try {
        body = openDecision(message.data).body;
      } catch {
        continue;
      }
      // A decision on some other offer (e.g. a forged one with this job id) does not answer ours.
      if (body.offerSha256 !== ours || subjects.publisherOf(message.subject) !== body.orgId || !spec.invitedOrgs.includes(body.orgId) || answers.has(body.orgId)) continue;
      const answer: OrgAnswer = { orgId: body.orgId, accepted: body.accepted, reason: body.reason || (body.accepted ? '' : 'the organisation keeps its reason to itself'), decidedBy: body.decidedBy };
      answers.set(body.orgId, answer);
      options.onDecision(answer);
      wake();
    }
  })();
  const deliver = async (orgId: string): Promise<void> => {
    while (Date.now() < closesAt && !answers.has(orgId)) {
      try {
        const receipt = await bus.request<OfferReceipt>(subjects.offers(orgId), offer, ANSWER_TIMEOUT_MS);
        if (receipt.status === 'pending') options.onPending?.(orgId);
        if (receipt.status === 'declined' && !answers.has(orgId)) {
          // Refused before moderation: a signed decline follows only if the offer was authentic to that organisation.
          await new Promise((r) => setTimeout(r, RETRY_MS));
          if (!answers.has(orgId)) {
            answers.set(orgId, { orgId, accepted: false, reason: receipt.refusal ?? 'refused without a signed decision (the reason is in its audit log)', decidedBy: null });
            options.onDecision(answers.get(orgId) as OrgAnswer);
          }
        }
        return;
      } catch (err) {
        if (!hasCode(err, 'BUS_NO_RESPONDERS') && !hasCode(err, 'BUS_TIMEOUT')) throw new Error(`could not deliver the offer to ${orgId}: ${errorMessage(err)}`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  };
  try {
    await Promise.all(spec.invitedOrgs.map(deliver));
    while (answers.size < spec.invitedOrgs.length && Date.now() < closesAt) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, closesAt - Date.now());
      });
      clearTimeout(timer);
    }
  } finally {
    decisions.unsubscribe();
    await listening;
  }
  return spec.invitedOrgs.map((orgId) => answers.get(orgId) ?? { orgId, accepted: false, reason: 'no decision before the offer expired', decidedBy: null });
}
