/**
 * The regulator console, served by `shoal console serve`: every job under
 * the output root with its state, live rounds and metric curves (from the
 * jobs' events on NATS), who joined or declined, privacy spent, the outcome,
 * the audit-chain heads, downloads of the report and the model, and
 * submitting a job from a spec file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { create as createTar } from 'tar';
import { NatsBus } from '../../common/bus/nats-bus';
import { subjects } from '../../common/bus/subjects';
import type { TlsFiles } from '../../common/pki';
import { ConsoleRequestError, ConsoleUsers, LiveFeed, startConsoleServer, type ConsoleServer, type JobSummary, type SubmitRequest } from '../../console';
import { applyJobEvent, type JobEvent, type JobStatus } from '../../coordinator';
import { listJobs } from '../job-list';
import { loadJobResults } from '../job-results';
import { jobFolder, readStatusFile } from '../job-status';
import { JobSubmitter } from './job-submitter';
import { jobDetail, listingSummary, roundPoint, summaryOf, timelineEntry } from './job-view';

export interface RegulatorConsoleOptions {
  outRoot: string;
  natsUrl: string;
  natsTls: TlsFiles;
  keyPath: string;
  pkiDir: string;
  /** Where submitted jobs' coordinators and aggregators bind and advertise. */
  jobHost: string;
  launcher: 'process' | 'docker';
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  users: ConsoleUsers;
  logger: Logger;
  webDir?: string;
}

const MODEL_FILES = ['model.json', 'weights.bin', 'normalization.json'];

export async function startRegulatorConsole(options: RegulatorConsoleOptions): Promise<ConsoleServer> {
  const { logger, outRoot } = options;
  const live = new LiveFeed();
  const submitter = new JobSubmitter({
    outRoot,
    natsUrl: options.natsUrl,
    keyPath: options.keyPath,
    pkiDir: options.pkiDir,
    host: options.jobHost,
    launcher: options.launcher,
    onExit: (jobId, code) => {
      logger.info({ jobId, code }, 'shoal job submit ended');
      live.publish({ kind: 'jobs' });
    },
  });

  /** A submit that ended without the job reporting an outcome says so in the list. */
  const withSubmitOutcome = (summary: JobSummary): JobSummary => {
    const code = submitter.exits.get(summary.jobId);
    const ended = summary.state === 'completed' || summary.state === 'failed';
    if (code === undefined || code === 0 || ended) return summary;
    return { ...summary, problem: `shoal job submit exited with code ${code}; see ${join(jobFolder(outRoot, summary.jobId), 'submit.log')}` };
  };

  /** The job's folder; UNKNOWN_JOB (404) when there is none. */
  const folderOf = (jobId: string): string => {
    const dir = jobFolder(outRoot, jobId);
    if (!existsSync(dir)) throw new ConsoleRequestError(404, 'UNKNOWN_JOB', `no job ${jobId} under ${outRoot}`);
    return dir;
  };

  const routes = (app: FastifyInstance): void => {
    app.get('/api/jobs', async () => ({ jobs: listJobs(outRoot).map((l) => withSubmitOutcome(listingSummary(l))) }));

    app.get('/api/jobs/:jobId', async (request) => {
      const { jobId } = request.params as { jobId: string };
      const detail = jobDetail(folderOf(jobId), jobId);
      return { ...detail, summary: withSubmitOutcome(detail.summary) };
    });

    app.get('/api/jobs/:jobId/report', async (request, reply) => {
      const { jobId } = request.params as { jobId: string };
      // As `shoal job results` reads it: NO_REPORT says whether the job is still running.
      const { text } = loadJobResults(outRoot, jobId);
      return reply.header('content-disposition', `attachment; filename="${jobId}-report.json"`).type('application/json').send(text);
    });

    // model.json, weights.bin and normalization.json as one archive: what TensorFlow.js's loadLayersModel reads, plus the features' scaling.
    app.get('/api/jobs/:jobId/model', async (request, reply) => {
      const { jobId } = request.params as { jobId: string };
      const modelDir = join(folderOf(jobId), 'model');
      const files = MODEL_FILES.filter((f) => existsSync(join(modelDir, f)));
      if (!files.includes('weights.bin')) throw new ConsoleRequestError(404, 'NO_MODEL', `job ${jobId} has no final model: it is written when the job completes`);
      logger.info({ jobId, by: request.consoleUser }, 'model downloaded');
      return reply.header('content-disposition', `attachment; filename="${jobId}-model.tar.gz"`).type('application/gzip').send(createTar({ gzip: true, cwd: modelDir, portable: true }, files));
    });

    app.post('/api/jobs', { schema: { body: { type: 'object', required: ['specYaml'], additionalProperties: false, properties: { specYaml: { type: 'string', minLength: 1, maxLength: 512 * 1024 } } } } }, async (request, reply) => {
      const { jobId } = submitter.submit((request.body as SubmitRequest).specYaml);
      logger.info({ jobId, by: request.consoleUser }, 'job submitted from the console');
      live.publish({ kind: 'jobs' });
      return reply.status(202).send({ jobId });
    });
  };

  const bus = await NatsBus.connect(options.natsUrl, 'shoal-regulator-console', options.natsTls);
  const statuses = new Map<string, JobStatus>();
  const events = bus.subscribe<JobEvent>(subjects.allJobEvents);
  const following = (async () => {
    for await (const { data: event } of events) {
      if (typeof event?.jobId !== 'string' || typeof event.type !== 'string') continue;
      let status = statuses.get(event.jobId);
      if (!status) {
        status = safeStatus(outRoot, event.jobId) ?? { jobId: event.jobId, state: 'admitting', round: 0, rounds: 0, participants: [], latestMetrics: null, updatedAt: event.at, lastEvent: null, outDir: '' };
        statuses.set(event.jobId, status);
      }
      applyJobEvent(status, event);
      live.publish({ kind: 'job', jobId: event.jobId, summary: summaryOf(event.jobId, status, null), round: roundPoint(event), entry: timelineEntry(event) });
      if (event.type === 'job.started') live.publish({ kind: 'jobs' });
    }
  })();

  let server: ConsoleServer;
  try {
    server = await startConsoleServer({ kind: 'regulator', title: 'Regulator', host: options.host, port: options.port, tls: options.tls, users: options.users, logger, live, routes, errorStatus: { INVALID_JOB_ID: 400, UNKNOWN_JOB: 404, NO_REPORT: 404 }, webDir: options.webDir });
  } catch (err) {
    events.unsubscribe();
    await bus.close();
    throw err;
  }
  return {
    url: server.url,
    close: async () => {
      events.unsubscribe();
      await following;
      await bus.close();
      await server.close();
    },
  };
}

/** The job's status file when it has a readable one. */
function safeStatus(outRoot: string, jobId: string): JobStatus | undefined {
  try {
    return readStatusFile(jobFolder(outRoot, jobId));
  } catch {
    return undefined;
  }
}
