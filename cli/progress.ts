/**
 * Shows a job's progress from its events: a progress bar with the round,
 * the participants and the latest aggregate metrics on a terminal, plain
 * lines otherwise (CI logs, pipes).
 */
import { SingleBar, Presets } from 'cli-progress';
import type { JobEvent, RoundMetrics } from '../coordinator';

function formatMetrics(metrics: RoundMetrics | null): string {
  if (!metrics) return 'metrics pending';
  const parts = [`loss ${metrics.loss.toFixed(4)}`];
  if (metrics.accuracy !== null) parts.push(`acc ${metrics.accuracy.toFixed(4)}`);
  if (metrics.auc !== null) parts.push(`auc ${metrics.auc.toFixed(4)}`);
  return parts.join(' ');
}

export class ProgressDisplay {
  private bar: SingleBar | undefined;

  constructor(private readonly rounds: number, private readonly interactive = Boolean(process.stderr.isTTY)) {}

  private line(text: string): void {
    if (this.bar) this.bar.stop();
    this.bar = undefined;
    process.stderr.write(`${text}\n`);
  }

  note(text: string): void {
    this.line(text);
  }

  onEvent(event: JobEvent): void {
    switch (event.type) {
      case 'job.started':
        return this.line(`job ${event.jobId}: coordinator ${event.coordinator}, aggregator ${event.aggregator}; inviting ${event.invited.join(', ')}`);
      case 'job.admitted':
        this.line(`admitted ${event.participants.length}: ${event.participants.join(', ') || 'none'}${event.declined.length ? `; declined: ${event.declined.map((d) => `${d.orgId} (${d.reason})`).join('; ')}` : ''}`);
        return;
      case 'job.preprocessed':
        return this.line(`federated normalisation statistics over ${event.examples} rows`);
      case 'participant.dropped':
        return this.line(`dropped ${event.orgId}: ${event.reason}`);
      case 'participant.rejoined':
        return this.line(`${event.orgId} is back and rejoins from the next round`);
      case 'collection.retried':
        return this.line(`round ${event.round}: the aggregator was lost during the ${event.kind} collection (${event.reason}); retrying it (attempt ${event.attempt})`);
      case 'job.resumed':
        return this.line(`the coordinator restarted (start ${event.starts}) and resumed after round ${event.fromRound} from its checkpoint`);
      case 'round.completed': {
        const epsilon = event.epsilonSpent === null ? '' : ` | ε ${event.epsilonSpent.toFixed(2)}`;
        const text = `round ${event.round}/${event.rounds} | ${event.contributors.length} participants | ${formatMetrics(event.metrics)}${epsilon} | ${event.seconds.toFixed(1)} s`;
        if (!this.interactive) return this.line(text);
        if (!this.bar) {
          this.bar = new SingleBar({ format: 'round {value}/{total} [{bar}] {participants} participants | {metrics}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
          this.bar.start(this.rounds, 0, { participants: 0, metrics: '' });
        }
        this.bar.update(event.round, { participants: event.contributors.length, metrics: `${formatMetrics(event.metrics)}${epsilon}` });
        return;
      }
      case 'job.budget-reached':
        return this.line(`privacy budget reached before round ${event.round}: ε spent ${event.epsilonSpent.toFixed(3)} of ${event.epsilonBudget}; training ends`);
      case 'job.completed':
        return this.line(`job completed | final ${formatMetrics(event.metrics)}\n  model:  ${event.modelPath}\n  report: ${event.reportPath}`);
      case 'job.failed':
        return this.line(`job FAILED (${event.code}): ${event.message}\n  report: ${event.reportPath}`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
