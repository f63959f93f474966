/**
 * One job's aggregator: a gRPC server holding that job's open collections.
 * Started for the job and stopped when the coordinator ends the job.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { startServer, stopServer } from '../common/grpc/calls';
import { addLimitedService, aggregatorCallLimits } from '../common/grpc/call-limits';
import { certificateAuthorizer, revokedSerials } from '../common/grpc/peer-auth';
import { serverCredentials } from '../common/grpc/tls-credentials';
import type { TlsMaterial } from '../common/pki';
import { shoalProto } from '../common/grpc/proto';
import { aggregatorHandlers, type AggregatorState } from './aggregator-service';
import { createMaskExpander, type MaskExpander } from '../common/secagg';
import type { Collection } from './collection';

export interface AggregatorOptions {
  jobId: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Worker threads that expand secure-aggregation masks; 0 expands them on the main thread. */
  maskWorkers: number;
  logger: Logger;
  /** Mutual TLS: this aggregator's certificate, the federation's CA and revocation list. */
  tls: TlsMaterial;
}

export class AggregatorServer {
  private server: grpc.Server | undefined;
  private readonly collections = new Map<string, Collection>();
  private readonly ended: Promise<void>;
  private readonly masks: MaskExpander;
  private markEnded!: () => void;
  port = 0;

  constructor(private readonly options: AggregatorOptions) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    this.masks = lazyMaskExpander(() => createMaskExpander(options.maskWorkers));
  }

  async start(): Promise<number> {
    const state: AggregatorState = {
      jobId: this.options.jobId,
      collections: this.collections,
      masks: this.masks,
      logger: this.options.logger,
      onJobEnded: () => this.markEnded(),
      auth: certificateAuthorizer({ jobId: this.options.jobId, revokedSerials: await revokedSerials(this.options.tls) }),
    };
    const { server, port } = await startServer(
      (s) => addLimitedService(s, shoalProto().aggregator.shoal.v1.Aggregator.service, aggregatorCallLimits((id) => this.collections.get(id)?.options.deadlineUnixMs), aggregatorHandlers(state)),
      this.options.host,
      this.options.port,
      serverCredentials(this.options.tls),
    );
    this.server = server;
    this.port = port;
    this.options.logger.info({ port }, 'aggregator listening');
    return port;
  }

  /** Resolves when the coordinator has ended the job. */
  jobEnded(): Promise<void> {
    return this.ended;
  }

  async stop(): Promise<void> {
    for (const collection of this.collections.values()) collection.close('aggregator shutting down');
    this.collections.clear();
    if (this.server) await stopServer(this.server);
    await this.masks.close();
    this.server = undefined;
  }
}

/** Mask workers start with the first secure collection: a plain job never pays for their threads and memory. */
function lazyMaskExpander(create: () => MaskExpander): MaskExpander {
  let expander: MaskExpander | undefined;
  return {
    addMasks: (acc, masks) => (expander ??= create()).addMasks(acc, masks),
    close: async () => expander?.close(),
  };
}
