/**
 * The organisation's own check outside the agent: a program (run without a
 * shell, in the policy file's folder, with only PATH from the agent's
 * environment) that reads the offer as JSON on stdin, or an HTTP endpoint that gets
 * it as a POST body. Either answers {"decision", "reason"} as JSON. Anything
 * else (a timeout, a crash, an HTTP error, an answer that does not parse) is
 * a HookError, which the hook rule turns into a deny.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { errorMessage } from '../../common/errors';
import type { JobSpec } from '../../common/job-spec';
import { HookError } from './errors';
import type { HookSettings } from './policy-schema';
import type { RuleOutcome } from './rule';

/** The most a hook may write; a longer answer is refused, so a runaway hook cannot fill the agent's memory. */
export const MAX_ANSWER_BYTES = 64 * 1024;
// The hook's reason ends up in audit records and perhaps in the regulator's view; a short one is enough.
const MAX_REASON_CHARS = 500;

export interface HookRequest {
  orgId: string;
  spec: JobSpec;
  modelParameters: number;
  /** ISO time of the evaluation. */
  at: string;
}

export interface HookAnswer {
  decision: RuleOutcome;
  reason: string;
}

const answerSchema = z.object({ decision: z.enum(['allow', 'deny', 'ask']), reason: z.string() });

function parseAnswer(text: string): HookAnswer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HookError(`hook answered something that is not JSON: ${JSON.stringify(text.trim().slice(0, 60))}`);
  }
  const answer = answerSchema.safeParse(value);
  if (!answer.success) throw new HookError('hook answered JSON other than {"decision": "allow"|"deny"|"ask", "reason": "…"}');
  return { decision: answer.data.decision, reason: answer.data.reason.slice(0, MAX_REASON_CHARS) };
}

/** All of the agent's environment a hook gets: the agent's may hold secrets (keys, tokens) that are none of the hook's business. */
function hookEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin' };
}

function runCommand(argv: string[], cwd: string, body: string, seconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also ends whatever the hook started.
    const child = spawn(argv[0], argv.slice(1), { cwd, env: hookEnvironment(), stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: HookError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Never kill(-0): without a pid that would be the agent's own process group.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      reject(error);
    };
    const timer = setTimeout(() => fail(new HookError(`hook timed out after ${seconds} s`, { seconds })), seconds * 1000);
    child.on('error', (err) => fail(new HookError(`hook command ${argv[0]} could not run: ${err.message}`, {}, err)));
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) fail(new HookError(`hook wrote more than ${MAX_ANSWER_BYTES / 1024} KiB`));
      else chunks.push(chunk);
    });
    child.on('close', (code, signal) => {
      if (code !== 0) return fail(new HookError(signal ? `hook was killed by ${signal}` : `hook exited with code ${code}`, { code, signal }));
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    // A hook may exit without reading the offer; its exit code or answer tells what happened, not the broken pipe.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
  });
}

async function readLimited(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString('utf8');
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new HookError(`hook answered more than ${MAX_ANSWER_BYTES / 1024} KiB`);
    }
    chunks.push(value);
  }
}

async function postJson(url: string, body: string, seconds: number): Promise<string> {
  try {
    // redirect: 'error', so the offer goes to the endpoint the policy names and nowhere else.
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'error', signal: AbortSignal.timeout(seconds * 1000) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HookError(`hook answered HTTP ${response.status}`, { status: response.status });
    }
    return await readLimited(response);
  } catch (err) {
    if (err instanceof HookError) throw err;
    if ((err as Error).name === 'TimeoutError') throw new HookError(`hook timed out after ${seconds} s`, { seconds }, err);
    // fetch says only "fetch failed"; the cause names the real problem (ECONNREFUSED, a bad certificate).
    throw new HookError(`hook request failed: ${errorMessage((err as Error).cause ?? err)}`, {}, err);
  }
}

/** Sends the offer to the hook and returns its answer; throws a HookError when there is no usable answer. */
export async function consultHook(hook: HookSettings, request: HookRequest): Promise<HookAnswer> {
  const body = JSON.stringify(request);
  const text = 'command' in hook ? await runCommand(hook.command, hook.workingDirectory, body, hook.timeoutSeconds) : await postJson(hook.url, body, hook.timeoutSeconds);
  return parseAnswer(text);
}
