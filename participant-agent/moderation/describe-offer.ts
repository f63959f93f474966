/**
 * Plain-language accounts of what waits for a person at a participant
 * agent: one offer in full (`shoal agent show`), the list of offers
 * (`shoal agent pending`) and a job's round outputs waiting for release.
 * A person approves what these texts say, so they state exactly which
 * columns are read and what leaves the organisation, in numbers.
 */
import { AUC_BINS, evaluationVectorLength } from '../../common/evaluation-metrics';
import type { JobSpec } from '../../common/job-spec';
import { shortHash } from './offer-hash';
import type { PendingOffer, PendingRelease } from './records';

const count = (n: number): string => n.toLocaleString('en-US');

/** 0.3 → "30%", without floating-point noise. */
const percent = (fraction: number): string => `${Number((fraction * 100).toFixed(2))}%`;

const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;

/** "4 min 30 s", "2 h 5 min", "3 d 4 h": two units are enough to act on. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 || parts.length > 0) parts.push(`${amount} ${name}`);
    if (parts.length === 2) break;
  }
  if (parts.length === 0) return '0 s';
  // "2 h 0 min" reads worse than "2 h".
  return parts.filter((p, i) => i === 0 || !p.startsWith('0 ')).join(' ');
}

/** "in 4 min 30 s" or "expired 2 min ago". */
function relative(iso: string, now: Date, past = 'expired'): string {
  const ms = Date.parse(iso) - now.getTime();
  if (Number.isNaN(ms)) return 'at an unreadable time';
  return ms > 0 ? `in ${formatDuration(ms)}` : `${past} ${formatDuration(-ms)} ago`;
}

function layerLine(index: number, layer: JobSpec['model']['layers'][number]): string {
  const { units, activation, ...rest } = layer.config as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof units === 'number') parts.push(plural(units, 'unit'));
  if (activation !== undefined) parts.push(String(activation));
  for (const [key, value] of Object.entries(rest)) parts.push(`${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `  ${index + 1}. ${layer.className}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function strategyLine(strategy: JobSpec['strategy']): string {
  const { name, ...settings } = strategy;
  const named = Object.entries(settings).map(([key, value]) => `${key} ${value}`);
  return named.length > 0 ? `${name} (${named.join(', ')})` : name;
}

/** What the evaluation vector holds, so "k values" is not a mystery number. */
function evaluationContents(spec: JobSpec): string {
  const base = 'example count, loss sum, correct count';
  return spec.dataset.labelType === 'binary' ? `${base} and two ${AUC_BINS}-bin score histograms for AUC` : base;
}

/** Each kind of output that leaves the organisation, how big it is and how often. */
function outputLines(p: PendingOffer): string[] {
  const { spec } = p;
  const secure = spec.secureAggregation.enabled;
  const dp = spec.differentialPrivacy;
  const columns = spec.dataset.features.length;
  const masked = secure ? 'masked ' : '';
  const weight = dp ? 'weight 1 (differential privacy weighs every organisation the same)' : 'its weight (the number of examples it used)';
  const fitTreatment = [
    ...(dp ? [`clipped to L2 norm ${dp.clipNorm}`] : []),
    ...(dp?.mode === 'distributed' ? ['with this organisation\'s share of Gaussian noise added'] : []),
    ...(secure ? ['quantised and masked before sending'] : []),
  ];
  const lines: string[] = [];
  if (spec.preprocessing.normalize) {
    lines.push(`  - once, before training: a ${masked}normalisation statistics vector of ${count(1 + 2 * columns)} values (1+2×${columns}: the row count, and each feature's sum and sum of squares; float64)`);
  }
  const picked = spec.fractionPerRound < 1 ? `each fit round this organisation is picked for (${percent(spec.fractionPerRound)} of participants per round)` : 'each fit round';
  lines.push(`  - ${picked}, ${plural(spec.training.rounds, 'round')} in all: a ${masked}model update of ${count(p.modelParameters)} values (float32)${fitTreatment.length > 0 ? `, ${fitTreatment.join(', ')}` : ''}, with ${weight}`);
  lines.push(`  - each round: a ${masked}evaluation vector of ${count(evaluationVectorLength(spec.dataset.labelType))} values (${evaluationContents(spec)}; float64)`);
  lines.push(
    secure
      ? '  The aggregator sees only the sum over the participants of each collection, never this organisation\'s values; the coordinator sees only the aggregates.'
      : '  Secure aggregation is OFF: the aggregator sees each of these vectors individually, this organisation\'s own values included.',
  );
  return lines;
}

function privacyLines(spec: JobSpec): string[] {
  const secure = spec.secureAggregation;
  const secureLine = secure.enabled
    ? `  secure aggregation on: threshold ${secure.threshold ?? 'derived'}, neighbours ${secure.neighbours ?? 'derived'}, chosen so that an aggregator colluding with ${percent(secure.collusionFraction)} of the participants exposes no one (below 2^-40 per collection), with ${percent(secure.dropoutRate)} dropouts expected; update values clipped to ±${secure.clippingRange} before quantisation`
    : '  secure aggregation off';
  const dp = spec.differentialPrivacy;
  const dpLine = dp
    ? `  differential privacy ${dp.mode}: ε ${dp.epsilon}, δ ${dp.delta}, clip norm ${dp.clipNorm}, noise multiplier ${dp.noiseMultiplier ?? 'the smallest that fits the budget'}`
    : '  differential privacy: none';
  return [secureLine, dpLine, `  at least ${plural(spec.minParticipants, 'participant')} per collection`];
}

function resourcesLine(spec: JobSpec): string {
  const r = spec.resources;
  if (!r || (r.memoryMiB === undefined && r.cpus === undefined && r.pids === undefined)) return "  the organisation's defaults";
  const value = (v: number | undefined, unit = ''): string => (v === undefined ? "organisation's default" : `${v}${unit}`);
  return `  memory ${value(r.memoryMiB, ' MiB')}, cpus ${value(r.cpus)}, pids ${value(r.pids)} (each capped at the organisation's limits)`;
}

export function describeOffer(p: PendingOffer, now: Date): string {
  const { spec } = p;
  const training = spec.training;
  const lines = [
    `Job ${p.jobId}, requested by ${p.requester}`,
    `  offer sha256 ${p.offerSha256}: a decision applies to this exact offer only`,
    `  received ${p.receivedAt}; expires ${p.expiresAt} (${relative(p.expiresAt, now)}); undecided by then, it is declined`,
    `  coordinator ${p.coordinator}, aggregator ${p.aggregator}`,
    '',
    'Dataset',
    `  ${spec.dataset.name} → ${p.dataPath}`,
    `  features (${spec.dataset.features.length} columns): ${spec.dataset.features.join(', ')}`,
    `  label: ${spec.dataset.label} (${spec.dataset.labelType}${spec.dataset.classes !== undefined ? `, ${spec.dataset.classes} classes` : ''})`,
    `  no other column is read; ${percent(spec.evaluation.validationFraction)} of the rows are held out to evaluate the global model`,
    '',
    `Model: ${spec.model.type}, ${count(p.modelParameters)} parameters, loss ${spec.model.loss}`,
    ...spec.model.layers.map((layer, i) => layerLine(i, layer)),
    '',
    'Training',
    `  ${plural(training.rounds, 'round')}, ${plural(training.localEpochs, 'local epoch')}, batch size ${training.batchSize}, optimizer ${training.optimizer}, learning rate ${training.learningRate}`,
    `  strategy ${strategyLine(spec.strategy)}; round deadline ${spec.roundDeadlineSeconds} s`,
    '',
    'What leaves this organisation',
    ...outputLines(p),
    '',
    'Privacy',
    ...privacyLines(spec),
    '',
    'Resources',
    resourcesLine(spec),
    '',
    spec.trainingImage
      ? `Training image: ${spec.trainingImage.reference} (${spec.trainingImage.digest}): the regulator's own code runs on this data`
      : "Training image: none (the organisation's own trainer runs the declarative model above)",
    '',
    'Policy verdicts',
    ...(p.reasons.length === 0 ? ['  (none recorded)'] : p.reasons.map((r) => `  ${r.rule}: ${r.outcome} — ${r.reason}`)),
    '',
    `Decide: shoal agent approve ${p.jobId} --offer ${p.offerSha256}   or   shoal agent reject ${p.jobId} --offer ${p.offerSha256} --reason <text>`,
  ];
  return lines.join('\n');
}

/** Left-aligned columns, two spaces apart. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function describePendingList(list: PendingOffer[], now: Date): string {
  if (list.length === 0) return 'no offers are waiting for a decision';
  const rows = list.map((p) => {
    const asking = p.reasons.filter((r) => r.outcome === 'ask').map((r) => r.rule);
    return [p.jobId, shortHash(p.offerSha256), p.requester, p.spec.dataset.name, relative(p.expiresAt, now).replace(/^in /, ''), asking.length > 0 ? asking.join(', ') : '-'];
  });
  return `${table(['JOB', 'OFFER SHA-256', 'REQUESTER', 'DATASET', 'EXPIRES IN', 'ASKING RULE(S)'], rows)}\n\nshoal agent show <job> for the details`;
}

export function describePendingReleases(jobId: string, list: PendingRelease[], now: Date): string {
  if (list.length === 0) return `no round outputs of job ${jobId} are waiting for release`;
  const rows = list.map((r) => [
    String(r.round),
    r.kind,
    count(r.summary.elements),
    String(r.summary.weight),
    r.summary.l2Norm.toPrecision(6),
    r.summary.sha256.slice(0, 16),
    relative(r.deadline, now, 'withheld').replace(/^in /, ''),
  ]);
  return `${table(['ROUND', 'KIND', 'VALUES', 'WEIGHT', 'L2 NORM', 'SHA-256', 'DEADLINE IN'], rows)}\n\nshoal agent release ${jobId} <round> to send one`;
}
