/**
 * `shoal job results <job>`: what a finished job's report.json says, for a
 * person: the outcome, the rounds and final metrics, who took part, which
 * privacy protections ran, where the model and report are, and the audit
 * records that pin both sides' logs. `--json` prints the report unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, ShoalError } from '../common/errors';
import type { JobReport, RoundMetrics } from '../coordinator';
import { hasEnded, jobFolder, readStatusFile } from './job-status';

export interface JobResults {
  reportPath: string;
  /** The file as written, for `--json`. */
  text: string;
  report: JobReport;
}

/** Why there is no report yet, from the job's status file. */
function whyNoReport(jobId: string, dir: string, reportPath: string): string {
  const status = readStatusFile(dir);
  if (!status) return `job ${jobId} has no report yet, nor a status file: it has not started, or its coordinator could not start (see \`shoal job logs ${jobId}\`)`;
  if (!hasEnded(status)) {
    return `job ${jobId} has no report yet: it is still running (${status.state}, round ${status.round}/${status.rounds}, last update ${status.updatedAt}); follow it with \`shoal job watch ${jobId}\``;
  }
  return `job ${jobId} has no report: its status file says ${status.state}, but ${reportPath} is missing`;
}

export function loadJobResults(outRoot: string, jobId: string): JobResults {
  const dir = jobFolder(outRoot, jobId);
  if (!existsSync(dir)) throw new ShoalError('UNKNOWN_JOB', `no job ${jobId}: ${dir} does not exist (jobs go where \`shoal job submit --out\` put them)`, { component: 'cli' });
  const reportPath = join(dir, 'report.json');
  if (!existsSync(reportPath)) throw new ShoalError('NO_REPORT', whyNoReport(jobId, dir, reportPath), { component: 'cli' });
  const text = readFileSync(reportPath, 'utf8');
  try {
    return { reportPath, text, report: JSON.parse(text) as JobReport };
  } catch (err) {
    throw new ShoalError('REPORT_UNREADABLE', `${reportPath} is not readable JSON: ${errorMessage(err)}`, { component: 'cli', cause: err });
  }
}

function metricsText(metrics: RoundMetrics): string {
  const parts = [`loss ${metrics.loss.toFixed(4)}`];
  if (metrics.accuracy !== null) parts.push(`accuracy ${metrics.accuracy.toFixed(4)}`);
  if (metrics.auc !== null) parts.push(`auc ${metrics.auc.toFixed(4)}`);
  return `${parts.join(', ')} on ${metrics.examples} validation rows`;
}

function orgReasons(list: Array<{ orgId: string; reason: string }>): string {
  return list.length === 0 ? 'none' : list.map((d) => `${d.orgId} (${d.reason || 'no reason given'})`).join('; ');
}

function privacyText(privacy: JobReport['privacy']): string {
  const secure = privacy.secureAggregation.enabled ? 'secure aggregation on (the aggregator saw only sums)' : 'secure aggregation off';
  const dp = privacy.differentialPrivacy;
  if (!dp) return `${secure}; differential privacy off`;
  return `${secure}; differential privacy ${dp.mode}: ε spent ${dp.epsilonSpent.toFixed(3)} of ${dp.epsilonBudget} at δ = ${dp.delta} over ${dp.roundsAccounted} rounds (noise multiplier ${dp.noiseMultiplier.toFixed(3)}, clip norm ${dp.clipNorm})`;
}

/** The report as a few readable lines. */
export function formatJobResults(report: JobReport, reportPath: string): string {
  const outcome = report.error ? `${report.status} (${report.error.code}): ${report.error.message}` : report.status;
  const lastRound = report.perRound.at(-1)?.round;
  const { participants, audit } = report;
  const lines = [
    `job ${report.jobId}: ${outcome}`,
    `  rounds: ${report.roundsCompleted} of ${report.training.rounds} completed${report.stoppedEarly ? `; stopped early: ${report.stoppedEarly}` : ''}`,
    `  final metrics: ${report.finalMetrics ? `${metricsText(report.finalMetrics)}${lastRound ? ` (round ${lastRound})` : ''}` : 'none'}`,
    `  participants: ${participants.admitted.length} of ${participants.invited.length} invited admitted${participants.admitted.length ? ` (${participants.admitted.join(', ')})` : ''}`,
    `    declined: ${orgReasons(participants.declined)}`,
    `    dropped: ${orgReasons(participants.dropped)}`,
    `  privacy: ${privacyText(report.privacy)}`,
    `  model: ${report.modelPath ?? `none (the job ${report.status === 'completed' ? 'wrote no model' : 'did not complete'})`}`,
    `  report: ${reportPath}`,
    `  audit: coordinator transcript ${audit.transcript.path}, head seq ${audit.transcript.head.seq} ${audit.transcript.head.hash}, signed by ${audit.transcript.publicKey}`,
    ...(audit.participantHeads.length === 0
      ? ['    no participant audit heads received']
      : audit.participantHeads.map((h) => `    ${h.orgId}: audit head seq ${h.seq} ${h.hash} at ${h.at}`)),
    `  ran ${report.startedAt} → ${report.finishedAt} (${report.wallSeconds.toFixed(1)} s), strategy ${report.strategy.name}, backend ${report.backend}`,
  ];
  return lines.join('\n');
}
