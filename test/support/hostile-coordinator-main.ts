/**
 * A hostile coordinator for one job, run as its own process by the
 * adversarial suite: node dist/test/support/hostile-coordinator-main.js <script.json>
 *
 * It speaks the project's Coordinator service over mutual TLS with a real
 * coordinator certificate for the job, so an agent has no way to tell it
 * from the job's honest coordinator. It admits every participant that
 * joins and, once released (SIGUSR2, or at once if the script says so),
 * hands each organisation the tasks its script lists, whatever they say.
 * Every join, delivery and status report is printed as one JSON line on
 * stdout (see HostileEvent), for the test to assert on. An organisation
 * that reported once per task it was given is told the job is over.
 *
 * Deep imports on purpose: the coordinator's package index loads
 * TensorFlow.js, which this process has no use for.
 */
import type * as grpc from '@grpc/grpc-js';
import { startServer } from '../../common/grpc/calls';
import { shoalProto } from '../../common/grpc/proto';
import { serverCredentials } from '../../common/grpc/tls-credentials';
import { identityOfCertificate, loadTlsMaterial } from '../../common/pki';
import { vectorChunks } from '../../common/vector-codec';
import type { CoordinatorHandlers } from '../../proto/generated/shoal/v1/Coordinator';
import type { TaskMessage } from '../../proto/generated/shoal/v1/TaskMessage';
import { readHostileScript, type HostileEvent, type ProofJson, type ScriptedSecure, type ScriptedTask } from './hostile-script';

interface Joined {
  identityKey: Buffer;
  proof: { certificate: Buffer; signature: Buffer } | null;
}

function print(event: HostileEvent): void {
  // stdout is a pipe, written synchronously on Linux: a line is out before the next event.
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Buffer => Buffer.from(text, 'hex');
const proofFromJson = (proof: ProofJson): Joined['proof'] => ({ certificate: fromHex(proof.certificateHex), signature: fromHex(proof.signatureHex) });

/** Who is calling, from the client certificate; a hostile coordinator still wants to know whom it is lying to. */
function callerOf(call: { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } }): string {
  const raw = call.getAuthContext().sslPeerCertificate?.raw;
  return raw ? identityOfCertificate(raw).orgId : '';
}

/** The roster's keys and proofs as the script wants them told: real ones from the joins, or substitutes. */
function secureSettings(secure: ScriptedSecure, joins: Map<string, Joined>): Record<string, unknown> {
  const identityKeys: Record<string, Buffer> = {};
  const identityProofs: Record<string, Joined['proof']> = {};
  for (const org of secure.roster) {
    const substitute = secure.substitutes?.[org] ?? {};
    const source = joins.get(substitute.copiedFrom ?? org);
    const key = substitute.identityKeyHex ? fromHex(substitute.identityKeyHex) : source?.identityKey;
    if (key) identityKeys[org] = key;
    const proof = substitute.proof === 'omit' ? null : substitute.proof ? proofFromJson(substitute.proof) : source?.proof ?? null;
    if (proof) identityProofs[org] = proof;
  }
  return { ...secure.settings, identityKeys, identityProofs };
}

class Mailbox {
  private readonly queue: Array<ScriptedTask | 'finished'> = [];
  private waiters: Array<() => void> = [];

  put(item: ScriptedTask | 'finished'): void {
    this.queue.push(item);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The next item, or null when `signal` aborts first (the caller's deadline). */
  async take(signal: AbortSignal): Promise<ScriptedTask | 'finished' | null> {
    while (this.queue.length === 0) {
      if (signal.aborted) return null;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    return this.queue.shift() ?? null;
  }

  putBack(item: ScriptedTask | 'finished'): void {
    this.queue.unshift(item);
  }
}

async function main(scriptPath: string | undefined): Promise<void> {
  if (!scriptPath) throw new Error('usage: hostile-coordinator-main <script.json>');
  const script = readHostileScript(scriptPath);
  const joins = new Map<string, Joined>();
  const mailboxes = new Map<string, Mailbox>();
  const reports = new Map<string, number>();
  let released = false;
  const mailbox = (org: string): Mailbox => {
    let box = mailboxes.get(org);
    if (!box) {
      box = new Mailbox();
      mailboxes.set(org, box);
    }
    return box;
  };
  const tasksOf = (org: string): ScriptedTask[] => script.tasks[org] ?? [];
  const handOut = (org: string): void => {
    for (const task of tasksOf(org)) mailbox(org).put(task);
    if (tasksOf(org).length === 0 || script.finishAfterTasks) mailbox(org).put('finished');
  };
  const release = (): void => {
    if (released) return;
    released = true;
    print({ event: 'released' });
    for (const org of joins.keys()) handOut(org);
  };
  process.on('SIGUSR2', release);

  const handlers: CoordinatorHandlers = {
    Join(call, callback) {
      const { orgId, identityKey, identityProof } = call.request;
      const proof = identityProof ? { certificate: identityProof.certificate, signature: identityProof.signature } : null;
      const first = !joins.has(orgId);
      joins.set(orgId, { identityKey, proof });
      print({ event: 'joined', orgId, identityKeyHex: hex(identityKey), proof: proof && { certificateHex: hex(proof.certificate), signatureHex: hex(proof.signature) } });
      if (first && released) handOut(orgId);
      callback(null, { admitted: true, reason: '', participantsSoFar: joins.size });
    },

    NextTask(call) {
      const { orgId } = call.request;
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      void (async () => {
        const item = await mailbox(orgId).take(abort.signal);
        if (!item) return;
        if (item === 'finished') {
          call.write({ header: { kind: 'TASK_KIND_FINISHED', jobOutcome: 'completed' } } satisfies TaskMessage);
          call.end();
          return;
        }
        const header = { ...item.header, deadlineUnixMs: Date.now() + item.deadlineInMs, ...(item.secure ? { secure: secureSettings(item.secure, joins) } : {}) };
        call.write({ header } as TaskMessage);
        if (item.modelHex) {
          const bytes = fromHex(item.modelHex);
          const model = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
          for (const chunk of vectorChunks(model)) call.write({ modelChunk: chunk });
        }
        call.end();
        if (call.cancelled) mailbox(orgId).putBack(item);
        else print({ event: 'delivered', orgId, kind: String(item.header.kind), collectionId: String(item.header.collectionId) });
      })().catch((err: unknown) => call.destroy(err as Error));
    },

    ReportStatus(call, callback) {
      const { orgId, collectionId, code, message } = call.request;
      print({ event: 'report', orgId: orgId || callerOf(call), collectionId, code, message: message.slice(0, 500) });
      const count = (reports.get(orgId) ?? 0) + 1;
      reports.set(orgId, count);
      if (count === tasksOf(orgId).length) mailbox(orgId).put('finished');
      callback(null, {});
    },
  };

  const service = shoalProto().coordinator.shoal.v1.Coordinator.service;
  const { port } = await startServer((server: grpc.Server) => server.addService(service, handlers), '127.0.0.1', 0, serverCredentials(loadTlsMaterial(script.tls)));
  if (script.releaseAtOnce) release();
  print({ event: 'ready', port });
  const stop = (): never => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`hostile coordinator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
