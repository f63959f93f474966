/**
 * Job offers as they arrive over the bus, and the agent's first decision on
 * them. Until the moderation issue brings policies, an offer is accepted only
 * when its requester is in the agent's config and the named dataset exists
 * locally with the requested columns; everything else is declined with a reason.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { compileJobSpec, type JobSpec } from '../common/job-spec';
import { errorMessage } from '../common/errors';
import type { AgentConfig } from './agent-config';

export interface JobOffer {
  /** The job spec as the regulator wrote it; validated again here. */
  spec: unknown;
  coordinator: string;
  aggregator: string;
  /** ISO time after which the offer no longer stands. */
  expiresAt: string;
}

export interface OfferDecision {
  orgId: string;
  jobId: string;
  accepted: boolean;
  reason: string;
}

export type Evaluated = { accepted: true; spec: JobSpec; dataPath: string } | { accepted: false; reason: string; jobId: string };

/** Reads just the header line, so checking columns does not load the data. */
function csvHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytes).toString('utf8');
    const end = text.indexOf('\n');
    return (end >= 0 ? text.slice(0, end) : text).split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  } finally {
    closeSync(fd);
  }
}

export function evaluateOffer(config: AgentConfig, offer: JobOffer, now = Date.now()): Evaluated {
  const jobId = typeof (offer?.spec as { jobId?: unknown })?.jobId === 'string' ? (offer.spec as { jobId: string }).jobId : 'unknown';
  let spec: JobSpec;
  try {
    spec = compileJobSpec(offer.spec);
  } catch (err) {
    return { accepted: false, jobId, reason: `the job spec is invalid: ${errorMessage(err)}` };
  }
  if (!spec.invitedOrgs.includes(config.orgId)) return { accepted: false, jobId, reason: `${config.orgId} is not among the job's invited organisations` };
  if (!config.acceptedRequesters.includes(spec.requester)) return { accepted: false, jobId, reason: `requester "${spec.requester}" is not accepted by this organisation` };
  if (!(Date.parse(offer.expiresAt) > now)) return { accepted: false, jobId, reason: `the offer expired at ${offer.expiresAt}` };
  if (spec.trainingImage && !config.sandbox.allowedImageDigests.includes(spec.trainingImage.digest)) {
    return { accepted: false, jobId, reason: `IMAGE_NOT_ALLOWED: the job's training image ${spec.trainingImage.reference} (${spec.trainingImage.digest}) is not on this organisation's allowlist (sandbox.allowedImageDigests)` };
  }
  if (spec.trainingImage && config.sandbox.type === 'process') {
    return { accepted: false, jobId, reason: 'IMAGE_NOT_ALLOWED: the job brings its own training image, which runs only in the Docker sandbox; this organisation trains in the process sandbox' };
  }
  const dataset = config.datasets[spec.dataset.name];
  if (!dataset) return { accepted: false, jobId, reason: `dataset "${spec.dataset.name}" is not configured at this organisation` };
  let header: string[];
  try {
    header = csvHeader(dataset.path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { accepted: false, jobId, reason: `DATASET_MISSING: dataset "${spec.dataset.name}" maps to ${dataset.path}, which ${missing ? 'does not exist' : `cannot be read (${errorMessage(err)})`}` };
  }
  const absent = [...spec.dataset.features, spec.dataset.label].filter((c) => !header.includes(c));
  if (absent.length > 0) return { accepted: false, jobId, reason: `dataset "${spec.dataset.name}" lacks the column(s) ${absent.slice(0, 10).join(', ')}` };
  return { accepted: true, spec, dataPath: dataset.path };
}
