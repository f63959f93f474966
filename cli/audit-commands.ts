/**
 * `shoal agent audit verify|show`: check and read an organisation's audit
 * log (or a coordinator's job transcript, which has the same format). Verify
 * exits 0 on an intact log and 5 on any tampering, naming each problem; it
 * can also check that the log still reaches the head a job's report pinned.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { verifyAuditFile, formatAuditEntry, formatVerification, type AuditEntry, type VerifyAuditOptions } from '../common/audit';
import { ConfigError, errorMessage } from '../common/errors';
import { EXIT_CODES } from '../common/process-lifecycle';
import { loadAgentConfig, storedIdentityPublicKey } from '../participant-agent';

type Run = (action: () => Promise<number>) => Promise<void>;

/** The head a job report pinned for one organisation. */
function reportedHead(reportPath: string, orgId: string): { seq: number; hash: string } {
  let report: { audit?: { participantHeads?: Array<{ orgId: string; seq: number; hash: string }> } };
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch (err) {
    throw new ConfigError(`--report: cannot read ${reportPath}: ${errorMessage(err)}`);
  }
  const head = report.audit?.participantHeads?.find((h) => h.orgId === orgId);
  if (!head) throw new ConfigError(`--report: ${reportPath} pins no audit head for "${orgId}"`);
  return { seq: head.seq, hash: head.hash };
}

/** The log file named on the command line, or the agent config's. */
function logPath(file: string | undefined, configPath: string): string {
  return file ?? loadAgentConfig(configPath).auditLog;
}

/**
 * What `verify` checks against: the log named on the command line, or the
 * agent's own log pinned to the agent's own identity key, so that a log
 * rewritten and re-signed with another key does not pass.
 */
function verificationTarget(file: string | undefined, configPath: string, key: string | undefined): { path: string; publicKey: string | undefined } {
  if (file) return { path: file, publicKey: key };
  const config = loadAgentConfig(configPath);
  return { path: config.auditLog, publicKey: key ?? storedIdentityPublicKey(config.workDir, config.orgId) };
}

export function registerAuditCommands(agent: Command, run: Run): void {
  const audit = agent.command('audit').description("check and read this organisation's tamper-evident audit log");
  audit
    .command('verify')
    .argument('[file]', 'the audit log (default: the one in the agent config)')
    .option('--config <file>', 'the agent config', 'agent.yaml')
    .option('--key <public-key>', 'the "ed25519:…" key that must have signed every entry (default with --config: the agent\'s own identity key)')
    .option('--report <report.json>', "also check that the log reaches the head this job report pinned (with --org)")
    .option('--org <id>', 'whose head to take from --report')
    .description('exit 0 if the log is intact; 5 with each problem named if an entry was edited, deleted, reordered or inserted')
    .action((file: string | undefined, o: { config: string; key?: string; report?: string; org?: string }) =>
      run(async () => {
        if (o.report && !o.org) throw new ConfigError('--report needs --org <id>: whose head to check');
        const target = verificationTarget(file, o.config, o.key);
        const options: VerifyAuditOptions = { publicKey: target.publicKey, expectedHead: o.report ? reportedHead(o.report, o.org as string) : undefined };
        const result = verifyAuditFile(target.path, options);
        process.stdout.write(`${formatVerification(result)}\n`);
        return result.ok ? EXIT_CODES.ok : EXIT_CODES.auditFailed;
      }),
    );
  audit
    .command('show')
    .argument('[file]', 'the audit log (default: the one in the agent config)')
    .option('--config <file>', 'the agent config', 'agent.yaml')
    .option('--job <id>', 'only entries about this job')
    .option('--type <prefix>', 'only entries whose type starts with this (e.g. offer., output.)')
    .description('print the log one readable line per entry')
    .action((file: string | undefined, o: { config: string; job?: string; type?: string }) =>
      run(async () => {
        const path = logPath(file, o.config);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          throw new ConfigError(`cannot read the audit log ${path}: ${errorMessage(err)}`, { path });
        }
        const lines = text.split('\n').filter((line) => line.trim() !== '');
        for (const [i, line] of lines.entries()) {
          let entry: AuditEntry;
          try {
            entry = JSON.parse(line) as AuditEntry;
          } catch {
            process.stdout.write(`line ${i + 1}: not JSON (run \`shoal agent audit verify\`)\n`);
            continue;
          }
          if (o.job && entry.data?.jobId !== o.job) continue;
          if (o.type && !String(entry.type).startsWith(o.type)) continue;
          process.stdout.write(`${formatAuditEntry(entry)}\n`);
        }
        return EXIT_CODES.ok;
      }),
    );
}
