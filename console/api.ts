/**
 * The JSON both console servers send and accept: the one contract between
 * the browser code (console/web/) and the servers (cli/console/ for the
 * regulator, participant-agent/console/ for an organisation). Types only, so
 * the browser bundle and Node share it without sharing any runtime code.
 * Nothing here ever carries a data row, a tensor, a key or a secret share:
 * models and updates appear as sizes and hashes only.
 *
 * Every error answer is `ApiError` with an HTTP status: 400 bad input,
 * 401 not logged in, 403 refused (wrong origin), 404 unknown, 409 the state
 * moved on (already decided, expired), 429 too many login attempts.
 */

export interface ApiError {
  error: { code: string; message: string };
}

export type ConsoleKind = 'regulator' | 'organisation';

/** GET /api/session (401 when not logged in); POST /api/login answers it too. */
export interface SessionInfo {
  user: string;
  console: ConsoleKind;
  /** "Regulator" or the organisation's id: the page's heading. */
  title: string;
}

/** POST /api/login body. POST /api/logout ends the session (204). */
export interface LoginRequest {
  user: string;
  password: string;
}

// ---------------------------------------------------------------------------
// Regulator console (served by `shoal console`)
// ---------------------------------------------------------------------------

export type JobState = 'admitting' | 'preprocessing' | 'training' | 'completed' | 'failed';

export interface Metrics {
  loss: number;
  accuracy: number | null;
  auc: number | null;
}

/** GET /api/jobs → { jobs: JobSummary[] }, newest first. */
export interface JobSummary {
  jobId: string;
  /** null when the job's folder has no readable status yet (`problem` says why). */
  state: JobState | null;
  round: number;
  rounds: number;
  participants: string[];
  latestMetrics: Metrics | null;
  updatedAt: string;
  problem: string | null;
}

/** One completed round: a point on each metric curve. */
export interface RoundPoint {
  round: number;
  metrics: Metrics | null;
  contributors: string[];
  missing: string[];
  seconds: number;
  epsilonSpent: number | null;
}

/** An event of the job, as the coordinator published it, in words for the timeline. */
export interface TimelineEntry {
  at: string;
  type: string;
  text: string;
}

export interface Decision {
  orgId: string;
  accepted: boolean;
  /** 'person' | 'policy' | null when unknown. */
  decidedBy: string | null;
  reason: string;
}

export interface AuditHead {
  orgId: string;
  seq: number;
  hash: string;
}

/** GET /api/jobs/:jobId */
export interface JobDetail {
  summary: JobSummary;
  /** Invited organisations; joined and declined come from the admission event or the report. */
  invited: string[];
  joined: string[];
  declined: Array<{ orgId: string; reason: string }>;
  dropped: Array<{ orgId: string; reason: string }>;
  decisions: Decision[];
  rounds: RoundPoint[];
  timeline: TimelineEntry[];
  /** The round deadline and admission window from the spec, in seconds; null when the spec is not readable. */
  deadlines: { roundSeconds: number; admissionSeconds: number } | null;
  privacy: {
    secureAggregation: boolean | null;
    epsilonSpent: number | null;
    epsilonBudget: number | null;
    delta: number | null;
  };
  /** From report.json once the job has ended, else null. */
  outcome: null | {
    status: 'completed' | 'failed';
    error: { code: string; message: string } | null;
    finishedAt: string;
    wallSeconds: number;
    finalMetrics: Metrics | null;
    stoppedEarly: string | null;
  };
  /** Each participant's audit-chain head the report pinned, and the coordinator's transcript head. */
  auditHeads: AuditHead[];
  transcriptHead: { seq: number; hash: string; publicKey: string } | null;
  /** Which downloads exist: GET /api/jobs/:jobId/report (report.json), GET /api/jobs/:jobId/model (the model's weights file). */
  downloads: { report: boolean; model: boolean; modelBytes: number | null; modelSha256: string | null };
}

/** POST /api/jobs body: a job spec as YAML text (what `shoal job submit` reads). Answer 202 SubmitAccepted. */
export interface SubmitRequest {
  specYaml: string;
}

export interface SubmitAccepted {
  jobId: string;
}

// ---------------------------------------------------------------------------
// Organisation console (served by the participant agent)
// ---------------------------------------------------------------------------

/** GET /api/organisation */
export interface OrganisationOverview {
  orgId: string;
  datasets: DatasetBudget[];
  /** Jobs the agent is taking part in now. */
  activeJobs: Array<{ jobId: string; requester: string; dataset: string }>;
}

/** The privacy budget of one dataset: what the policy allows, what jobs spent. */
export interface DatasetBudget {
  dataset: string;
  /** null when the policy sets no budget for the dataset. */
  epsilonBudget: number | null;
  epsilonSpent: number;
  jobs: Array<{ jobId: string; epsilon: number; delta: number; requester: string; at: string }>;
}

/** One offer waiting for a person: exactly what would run, on what, and what would leave. */
export interface OfferView {
  jobId: string;
  /** SHA-256 of the exact signed offer; the decision sends it back and applies to this offer only. */
  offerSha256: string;
  requester: string;
  receivedAt: string;
  expiresAt: string;
  dataset: string;
  /** The columns the trainer would read (features, then the label). */
  columns: string[];
  label: string;
  modelParameters: number;
  rounds: number;
  localEpochs: number;
  /** One line per layer, e.g. "Dense 64 relu". */
  layers: string[];
  secureAggregation: boolean;
  differentialPrivacy: string | null;
  /** Why the policy asked a person. */
  reasons: Array<{ rule: string; outcome: string; reason: string }>;
  /** The same plain-language account `shoal agent show` prints. */
  description: string;
}

/** A round's output held until a person releases it: facts about it, never its values. */
export interface ReleaseView {
  jobId: string;
  round: number;
  kind: string;
  requestedAt: string;
  deadline: string;
  elements: number;
  weight: number;
  l2Norm: number;
  sha256: string;
}

/** GET /api/queue */
export interface QueueView {
  offers: OfferView[];
  releases: ReleaseView[];
  /** Queue files that could not be read. */
  unreadable: Array<{ file: string; problem: string }>;
}

/** POST /api/queue/offers/:jobId/decision → 200 { jobId, approved } */
export interface DecisionRequest {
  /** The offer the person saw (OfferView.offerSha256); 409 OFFER_CHANGED when another offer of the job waits now. */
  offerSha256: string;
  approve: boolean;
  /** Required when rejecting. */
  reason: string;
}

/** POST /api/queue/releases/:jobId/:round → 200 */
export interface ReleaseRequest {
  reason: string;
}

/** GET /api/audit?limit=N → the last N entries (newest last), as one line of text each. */
export interface AuditPage {
  total: number;
  entries: Array<{ seq: number; at: string; type: string; actor: string; text: string }>;
}

/** POST /api/audit/verify */
export interface AuditVerificationView {
  intact: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  publicKey: string | null;
  problems: Array<{ line: number; kind: string; message: string }>;
}

// ---------------------------------------------------------------------------
// Live updates: GET /api/live is a text/event-stream of LiveMessage (JSON in `data:`).
// ---------------------------------------------------------------------------

export type LiveMessage =
  /** Regulator: a job's event arrived; the job's summary and the new round point when there is one. */
  | { kind: 'job'; jobId: string; summary: JobSummary; round: RoundPoint | null; entry: TimelineEntry }
  /** Regulator: the list of jobs changed (a job folder appeared). */
  | { kind: 'jobs' }
  /** Organisation: something changed; fetch the named views again. */
  | { kind: 'changed'; views: Array<'queue' | 'audit' | 'organisation'> };
