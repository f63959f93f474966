/**
 * `shoal agent …`: the organisation's side of moderation. The running agent
 * parks offers its policy asks about (and, when the policy says so, each
 * round's output) in a queue under its workDir; these commands let a person
 * read them and decide, from another process, through that queue alone.
 * A decision names the offer the person read by its SHA-256 (`shoal agent
 * show` prints it; `--offer` takes it or its first 12+ hex digits): approve
 * requires it, and both refuse with OFFER_CHANGED when the offer waiting now
 * is another, so an approval can never land on an offer nobody read.
 * Exit codes: 0 done; 2 the config is invalid, or the decision cannot be
 * made (no such offer, already decided, expired, a reason missing, the offer
 * changed); 1 otherwise.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { hasCode } from '../common/errors';
import { EXIT_CODES, wholeNumberFlag } from '../common/process-lifecycle';
import { describeOffer, describePendingList, describePendingReleases, loadAgentConfig, ModerationQueue } from '../participant-agent';
import { registerAuditCommands } from './audit-commands';

import { print, refuse } from './console-output';

/** Queue errors that mean "this cannot be done as asked", not a fault; the person can act on the message. */
const REFUSALS = ['INVALID_JOB_ID', 'INVALID_ROUND', 'NOT_PENDING', 'ALREADY_DECIDED', 'OFFER_EXPIRED', 'OFFER_CHANGED', 'INVALID_OFFER_HASH', 'OFFER_HASH_REQUIRED', 'REASON_REQUIRED', 'DECIDER_REQUIRED', 'ALREADY_RELEASED', 'RELEASE_EXPIRED', 'PENDING_UNREADABLE'];

const CONFIG_HELP = 'the agent config, whose workDir holds the moderation queue';

const OFFER_HELP = "the SHA-256 of the offer you read, or its first 32 or more hex digits, as shoal agent show prints it";

/** Refusals a script driving the CLI should tell apart from "try again": the offer is not the one the person named. */
const NAMED_REFUSALS = ['OFFER_CHANGED', 'INVALID_OFFER_HASH', 'OFFER_HASH_REQUIRED'];

/** Runs a queue action, turning a refusal into its message and exit code 2. */
async function refusing(action: () => number): Promise<number> {
  try {
    return action();
  } catch (err) {
    const named = NAMED_REFUSALS.find((code) => hasCode(err, code));
    if (named) return refuse(`${named}: ${(err as Error).message}`);
    if (REFUSALS.some((code) => hasCode(err, code))) return refuse((err as Error).message);
    throw err;
  }
}

function queueFor(configPath: string): ModerationQueue {
  return new ModerationQueue(loadAgentConfig(configPath).workDir);
}

/** Who is deciding, for the record; the login name unless given. */
function defaultDecider(): string {
  if (process.env.USER) return process.env.USER;
  try {
    return userInfo().username;
  } catch {
    // Containers may run under a uid without a passwd entry.
    return 'unknown';
  }
}

interface DecisionOptions {
  config: string;
  reason?: string;
  by?: string;
  offer?: string;
}

export function registerAgentCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const agent = program.command('agent').description("moderate offers and round outputs waiting at this organisation's participant agent, and check its audit log");
  registerAuditCommands(agent, run);

  agent
    .command('pending')
    .description('list the offers waiting for a decision')
    .option('--config <agent.yaml>', CONFIG_HELP, 'agent.yaml')
    .action((o: { config: string }) =>
      run(async () => {
        const queue = queueFor(o.config);
        const now = new Date();
        const { offers, unreadable } = queue.scanPending();
        print(describePendingList(offers, now));
        const releases = queue.pendingReleases();
        if (releases.length > 0) {
          const jobs = [...new Set(releases.map((r) => r.jobId))];
          print(`\n${releases.length} round output(s) wait for release: ${jobs.map((j) => `shoal agent release ${j}`).join('; ')}`);
        }
        for (const entry of unreadable) process.stderr.write(`shoal: skipped ${entry.file}: ${entry.problem}\n`);
        return EXIT_CODES.ok;
      }),
    );

  agent
    .command('show')
    .argument('<job>', 'the job id')
    .description('show exactly what an offer would run, read and send')
    .option('--config <agent.yaml>', CONFIG_HELP, 'agent.yaml')
    .action((jobId: string, o: { config: string }) =>
      run(() =>
        refusing(() => {
          const queue = queueFor(o.config);
          const offer = queue.get(jobId);
          if (!offer) {
            const waiting = queue.pending().map((p) => p.jobId);
            return refuse(`no offer of job ${jobId} is waiting for a decision; ${waiting.length === 0 ? 'no offers are waiting' : `waiting: ${waiting.join(', ')}`}`);
          }
          print(describeOffer(offer, new Date()));
          return EXIT_CODES.ok;
        }),
      ),
    );

  agent
    .command('approve')
    .argument('<job>', 'the job id')
    .description('approve the offer you read; the agent joins the job')
    .requiredOption('--offer <sha256>', OFFER_HELP)
    .option('--reason <text>', 'why, for the record')
    .option('--by <name>', 'who approves (default: your login name)')
    .option('--config <agent.yaml>', CONFIG_HELP, 'agent.yaml')
    .action((jobId: string, o: DecisionOptions) =>
      run(() =>
        refusing(() => {
          const decision = queueFor(o.config).decide(jobId, { approve: true, reason: o.reason ?? '', by: o.by ?? defaultDecider(), offer: o.offer });
          print(`approved ${jobId} (offer ${decision.offerSha256}); the agent will join`);
          return EXIT_CODES.ok;
        }),
      ),
    );

  agent
    .command('reject')
    .argument('<job>', 'the job id')
    .description('reject an offer; the agent declines it with your reason')
    .requiredOption('--reason <text>', 'why; the requester is told')
    .option('--offer <sha256>', `${OFFER_HELP}; without it, the offer waiting now is rejected`)
    .option('--by <name>', 'who rejects (default: your login name)')
    .option('--config <agent.yaml>', CONFIG_HELP, 'agent.yaml')
    .action((jobId: string, o: DecisionOptions) =>
      run(() =>
        refusing(() => {
          const decision = queueFor(o.config).decide(jobId, { approve: false, reason: o.reason ?? '', by: o.by ?? defaultDecider(), offer: o.offer });
          print(`rejected ${jobId} (offer ${decision.offerSha256}); the agent will decline`);
          return EXIT_CODES.ok;
        }),
      ),
    );

  agent
    .command('release')
    .argument('<job>', 'the job id')
    .argument('[round]', 'the round whose output to send; without it, list the rounds waiting', wholeNumberFlag)
    .description("release a round's output held for review, or list those waiting")
    .option('--reason <text>', 'why, for the record')
    .option('--by <name>', 'who releases (default: your login name)')
    .option('--config <agent.yaml>', CONFIG_HELP, 'agent.yaml')
    .action((jobId: string, round: number | undefined, o: DecisionOptions) =>
      run(() =>
        refusing(() => {
          const queue = queueFor(o.config);
          if (round === undefined) {
            print(describePendingReleases(jobId, queue.pendingReleases(jobId), new Date()));
            return EXIT_CODES.ok;
          }
          queue.release(jobId, round, o.by ?? defaultDecider(), o.reason ?? '');
          print(`released round ${round} of ${jobId}; the agent will send it`);
          return EXIT_CODES.ok;
        }),
      ),
    );
}
