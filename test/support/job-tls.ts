/**
 * One job's certificates for a test, on disk as the launcher leaves them: a
 * federation CA in the test's folder (test-pki.ts), the job's coordinator
 * and aggregator certificates (cli/job-certificates.ts) and each
 * organisation's participant certificate. Each comes as files, to hand a
 * process, and as loaded material, for clients in the test itself.
 */
import type * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { issueJobCertificates } from '../../cli/job-certificates';
import { channelCredentials } from '../../common/grpc/tls-credentials';
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from '../../common/pki';
import { createTestPki, type TestPki } from './test-pki';

export interface TlsParty {
  files: TlsFiles;
  material: TlsMaterial;
}

export interface JobTls {
  jobId: string;
  pki: TestPki;
  /** Role 'coordinator', orgId the job id. */
  coordinator: TlsParty;
  /** Role 'aggregator', orgId the job id. */
  aggregator: TlsParty;
  /** The participant certificate of `orgId` (issued on first use). */
  participant(orgId: string): Promise<TlsParty>;
  /** Credentials that present `party`'s certificate and accept only this job's aggregator. */
  toAggregator(party: TlsParty): grpc.ChannelCredentials;
}

function loaded(files: TlsFiles): TlsParty {
  return { files, material: loadTlsMaterial(files) };
}

export async function createJobTls(parent: string, jobId: string): Promise<JobTls> {
  const pki = await createTestPki(parent, []);
  const servers = await issueJobCertificates(pki.dir, jobId, join(parent, jobId), '127.0.0.1');
  return {
    jobId,
    pki,
    coordinator: loaded(servers.coordinator),
    aggregator: loaded(servers.aggregator),
    participant: async (orgId) => loaded(await pki.participant(orgId)),
    toAggregator: (party) => channelCredentials(party.material, { role: 'aggregator', orgId: jobId }),
  };
}
