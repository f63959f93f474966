/**
 * The organisation console's codec: the agent's own records (moderation
 * queue, privacy ledger, audit log, config) turned into the JSON the browser
 * reads (console/api.ts). Facts about outputs only, never their values.
 */
import { readFileSync } from 'node:fs';
import { formatAuditData, type AuditEntry, type AuditVerification } from '../../common/audit';
import type { AuditPage, AuditVerificationView, DatasetBudget, OfferView, ReleaseView } from '../../console';
import type { AgentConfig } from '../agent-config';
import { describeOffer } from '../moderation/describe-offer';
import type { PendingOffer, PendingRelease } from '../moderation/records';
import type { LedgerEntry } from '../privacy-ledger';

/** "Dense 64 relu" per layer: the shape of what would run, in a line each. */
function layerSummary(layer: PendingOffer['spec']['model']['layers'][number]): string {
  const { units, activation, rate } = layer.config as Record<string, unknown>;
  return [layer.className, units, activation, rate === undefined ? undefined : `rate ${String(rate)}`].filter((part) => part !== undefined).join(' ');
}

export function offerView(offer: PendingOffer, now: Date): OfferView {
  const { spec } = offer;
  const dp = spec.differentialPrivacy;
  return {
    jobId: offer.jobId,
    offerSha256: offer.offerSha256,
    requester: offer.requester,
    receivedAt: offer.receivedAt,
    expiresAt: offer.expiresAt,
    dataset: spec.dataset.name,
    columns: [...spec.dataset.features, spec.dataset.label],
    label: spec.dataset.label,
    modelParameters: offer.modelParameters,
    rounds: spec.training.rounds,
    localEpochs: spec.training.localEpochs,
    layers: spec.model.layers.map(layerSummary),
    secureAggregation: spec.secureAggregation.enabled,
    differentialPrivacy: dp ? `${dp.mode}, ε ${dp.epsilon} at δ ${dp.delta}, clip norm ${dp.clipNorm}` : null,
    reasons: offer.reasons.map((r) => ({ rule: r.rule, outcome: r.outcome, reason: r.reason })),
    description: describeOffer(offer, now),
  };
}

export function releaseView(release: PendingRelease): ReleaseView {
  return {
    jobId: release.jobId,
    round: release.round,
    kind: release.kind,
    requestedAt: release.requestedAt,
    deadline: release.deadline,
    ...release.summary,
  };
}

/** Every dataset the config names or a job spent budget on, with the policy's budget. */
export function datasetBudgets(config: AgentConfig, ledger: LedgerEntry[]): DatasetBudget[] {
  const names = new Set([...Object.keys(config.datasets), ...ledger.map((e) => e.dataset)]);
  return [...names].sort().map((dataset) => {
    const jobs = ledger.filter((e) => e.dataset === dataset);
    return {
      dataset,
      epsilonBudget: config.policy.privacy.budgets[dataset]?.epsilon ?? null,
      epsilonSpent: jobs.reduce((sum, e) => sum + e.epsilon, 0),
      jobs: jobs.map(({ jobId, epsilon, delta, requester, at }) => ({ jobId, epsilon, delta, requester, at })),
    };
  });
}

/** The last `limit` entries of the audit log, one line of text each; an unparseable line is shown as such, not skipped. */
export function auditPage(path: string, limit: number): AuditPage {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const entries = lines.slice(-Math.max(1, limit)).map((line, i) => {
    try {
      const entry = JSON.parse(line) as AuditEntry;
      return { seq: entry.seq, at: entry.at, type: entry.type, actor: entry.actor, text: formatAuditData(entry.data) };
    } catch {
      const lineNumber = lines.length - Math.min(limit, lines.length) + i + 1;
      return { seq: -1, at: '', type: 'unreadable', actor: '', text: `line ${lineNumber} is not an audit entry (press Verify for details)` };
    }
  });
  return { total: lines.length, entries };
}

export function verificationView(v: AuditVerification): AuditVerificationView {
  return { intact: v.ok, entries: v.entries, head: v.head, publicKey: v.publicKey, problems: v.problems.map(({ line, kind, message }) => ({ line, kind, message })) };
}
