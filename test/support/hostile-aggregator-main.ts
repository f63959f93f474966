/**
 * A hostile aggregator for one job, run as its own process by the
 * adversarial suite: node dist/test/support/hostile-aggregator-main.js <script.json>
 *
 * It serves the project's Aggregator service over mutual TLS with the job's
 * genuine aggregator certificate, so a participant cannot tell it from the
 * honest one, and it decodes and encodes every message with the project's
 * own proto loader and codecs. It relays keys and shares as the protocol
 * says, then deviates where its script tells it to: which survivor set it
 * tells whom, and which signatures it hands back. Colluding participants
 * run inside it (real SecAggClients, keyed with their own identities) and
 * give it everything they hold. On SIGUSR2 it tries to unmask every
 * collection it saw and prints what it obtained (hostile-aggregator-obtained.ts).
 *
 * Every event is one JSON line on stdout (HostileAggregatorEvent); it never
 * prints a key, a share or a vector.
 */
import * as grpc from '@grpc/grpc-js';
import { startServer } from '../../common/grpc/calls';
import { shoalProto } from '../../common/grpc/proto';
import { advertisementFromWire, advertisementToWire, settingsFromWire, shareFromWire, shareToWire, survivorSignatureFromWire, survivorSignatureToWire, unmaskFromWire } from '../../common/grpc/secagg-codec';
import { serverCredentials } from '../../common/grpc/tls-credentials';
import { loadTlsMaterial } from '../../common/pki';
import { compileSecAggConfig, identityFromPem, SecAggClient, type EncryptedShare, type IdentityKeyPair, type KeyAdvertisement, type SecAggConfig, type SurvivorSignature, type UnmaskResponse } from '../../common/secagg';
import { secAggTopology, type SecAggTopology } from '../../common/secagg/secagg-config';
import { survivorsMessage } from '../../common/secagg/transcript';
import { VectorAssembler } from '../../common/vector-codec';
import type { AggregatorHandlers } from '../../proto/generated/shoal/v1/Aggregator';
import type { OpenCollectionRequest__Output } from '../../proto/generated/shoal/v1/OpenCollectionRequest';
import type { SubmitMessage__Output } from '../../proto/generated/shoal/v1/SubmitMessage';
import { attemptUnmasking, type ColluderHoldings } from './hostile-aggregator-obtained';
import { readHostileAggregatorScript, type HostileAggregatorEvent, type HostileAggregatorScript, type HostileCollectionScript } from './hostile-aggregator-script';
import { ringSplitSurvivors } from './hostile-aggregator-ring';

function print(event: HostileAggregatorEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

interface Colluder {
  identity: IdentityKeyPair;
  client: SecAggClient;
}

interface HostileCollection {
  id: string;
  script: HostileCollectionScript;
  config: SecAggConfig;
  topology: SecAggTopology;
  /** Expected participants that run their own (honest) agents. */
  honest: string[];
  colluders: Map<string, Colluder>;
  advertisements: Map<string, KeyAdvertisement>;
  shares: Map<string, EncryptedShare[]>;
  masked: Set<string>;
  told: Map<string, string[]>;
  signatures: Map<string, SurvivorSignature>;
  reveals: Map<string, UnmaskResponse>;
  colludersReady?: Promise<void>;
}

const POLL_MS = 20;

/** Waits until `done`, or gives up after `ms`: a hostile server goes on with whoever answered. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, POLL_MS));
}

function fail(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

/**
 * What a colluder holds: its Shamir shares of every neighbour's two secrets.
 * The client keeps them private because an honest participant never hands
 * them over; a colluder is that same code, in the attacker's memory.
 */
function holdingsOf(topology: SecAggTopology, orgId: string, colluder: Colluder): ColluderHoldings {
  const held = (colluder.client as unknown as { held: Map<string, { seed: Uint8Array; maskingKey: Uint8Array }> }).held;
  return { x: topology.index.get(orgId) as number, held };
}

function main(scriptPath: string | undefined): Promise<void> {
  if (!scriptPath) throw new Error('usage: hostile-aggregator-main <script.json>');
  const script: HostileAggregatorScript = readHostileAggregatorScript(scriptPath);
  const collections = new Map<string, HostileCollection>();
  const wait = script.phaseWaitMs;

  const open = (request: OpenCollectionRequest__Output): HostileCollection => {
    if (!request.secure) throw new Error('the hostile aggregator runs secure collections only');
    const settings = settingsFromWire(request.secure, request.expectedOrgs);
    const config = compileSecAggConfig({ jobId: request.jobId, collectionId: request.collectionId, participants: request.expectedOrgs, elementCount: settings.encodedElementCount, threshold: settings.threshold, degree: settings.degree });
    const colluders = new Map<string, Colluder>();
    for (const c of script.colluders) {
      if (!request.expectedOrgs.includes(c.orgId)) continue;
      const identity = identityFromPem(c.orgId, c.identityPem);
      colluders.set(c.orgId, { identity, client: new SecAggClient({ config, identity, roster: settings.identityKeys }) });
    }
    const collection: HostileCollection = {
      id: request.collectionId,
      script: script.collections[request.collectionId] ?? {},
      config,
      topology: secAggTopology(config),
      honest: request.expectedOrgs.filter((org) => !colluders.has(org)).sort(),
      colluders,
      advertisements: new Map(),
      shares: new Map(),
      masked: new Set(),
      told: new Map(),
      signatures: new Map(),
      reveals: new Map(),
    };
    for (const [org, colluder] of colluders) collection.advertisements.set(org, colluder.client.advertiseKeys());
    return collection;
  };

  /** Colluders share their keys and "send" a zero input once every honest share is in, so they count as survivors. */
  const colludersTakePart = (c: HostileCollection): Promise<void> =>
    (c.colludersReady ??= (async () => {
      const advertised = [...c.advertisements.values()];
      for (const [org, colluder] of c.colluders) c.shares.set(org, colluder.client.shareKeys(advertised));
      for (const [org, colluder] of c.colluders) {
        await colluder.client.maskInput(sharesFor(c, org), new Uint32Array(c.config.elementCount));
        c.masked.add(org);
      }
    })());

  const sharesFor = (c: HostileCollection, org: string): EncryptedShare[] => [...c.shares.values()].flat().filter((share) => share.to === org);

  const survivorsFor = (c: HostileCollection, org: string): string[] => {
    const chosen = c.script.survivorsFor?.[org] ?? c.script.survivors ?? (c.script.splitRing ? ringSplitSurvivors(c.topology, c.config.degree) : [...c.masked]);
    return [...chosen].sort();
  };

  /** The signatures over `set`: of the honest that were told it and signed, and of every colluder in it. */
  const signaturesOver = (c: HostileCollection, set: string[]): SurvivorSignature[] => {
    const key = set.join(',');
    const honest = [...c.signatures].filter(([org]) => c.told.get(org)?.join(',') === key).map(([, s]) => s);
    const message = survivorsMessage(c.topology.digest, set);
    const colluding = [...c.colluders].filter(([org]) => set.includes(org)).map(([orgId, colluder]) => ({ orgId, signature: colluder.identity.sign(message) }));
    return [...honest, ...colluding];
  };

  const collection = (id: string | undefined): HostileCollection => {
    const found = collections.get(id ?? '');
    if (!found) throw Object.assign(new Error(`collection ${String(id)} is not open`), { grpc: fail(grpc.status.NOT_FOUND, 'collection is not open') });
    return found;
  };

  const answer = <T>(callback: grpc.sendUnaryData<T>, step: () => Promise<T>): void => {
    step().then(
      (value) => callback(null, value),
      (err: unknown) => callback((err as { grpc?: Partial<grpc.StatusObject> }).grpc ?? fail(grpc.status.INTERNAL, String((err as Error).message))),
    );
  };

  const handlers: AggregatorHandlers = {
    OpenCollection(call, callback) {
      answer(callback, async () => {
        const c = open(call.request);
        collections.set(c.id, c);
        print({ event: 'opened', collectionId: c.id, expected: [...c.config.participants] });
        return {};
      });
    },

    AdvertiseKeys(call, callback) {
      answer(callback, async () => {
        const c = collection(call.request.caller?.collectionId);
        c.advertisements.set(String(call.request.caller?.orgId), advertisementFromWire(call.request.advertisement));
        await until(() => c.honest.every((org) => c.advertisements.has(org)), wait);
        return { advertisements: [...c.advertisements.values()].map(advertisementToWire) };
      });
    },

    ShareKeys(call, callback) {
      answer(callback, async () => {
        const c = collection(call.request.caller?.collectionId);
        const org = String(call.request.caller?.orgId);
        c.shares.set(org, call.request.shares.map(shareFromWire));
        await until(() => c.honest.every((o) => !c.advertisements.has(o) || c.shares.has(o)), wait);
        await colludersTakePart(c);
        return { sharesForYou: sharesFor(c, org).map(shareToWire) };
      });
    },

    Submit(call, callback) {
      void (async () => {
        let assembler: VectorAssembler | undefined;
        let header: NonNullable<SubmitMessage__Output['header']> | undefined;
        for await (const message of call as AsyncIterable<SubmitMessage__Output>) {
          if (message.body === 'header' && message.header) {
            header = message.header;
            assembler = new VectorAssembler(header.vector);
          } else if (message.body === 'chunk' && assembler) assembler.push(message.chunk);
        }
        if (!header || !assembler) throw new Error('a contribution without a header');
        assembler.finish();
        const c = collection(header.collectionId);
        c.masked.add(header.orgId);
        print({ event: 'masked-input', collectionId: c.id, orgId: header.orgId });
        return c.masked.size;
      })().then(
        (count) => callback(null, { contributorsSoFar: count }),
        (err: unknown) => callback(fail(grpc.status.INVALID_ARGUMENT, String((err as Error).message))),
      );
    },

    ConsistencyCheck(call, callback) {
      answer(callback, async () => {
        const c = collection(call.request.caller?.collectionId);
        const org = String(call.request.caller?.orgId);
        await until(() => c.honest.every((o) => !c.shares.has(o) || c.masked.has(o)), wait);
        const survivors = survivorsFor(c, org);
        c.told.set(org, survivors);
        print({ event: 'survivors-told', collectionId: c.id, orgId: org, survivors });
        return { survivors };
      });
    },

    SignSurvivors(call, callback) {
      answer(callback, async () => {
        const c = collection(call.request.caller?.collectionId);
        const org = String(call.request.caller?.orgId);
        c.signatures.set(org, survivorSignatureFromWire(call.request.signature));
        const set = c.told.get(org) ?? [];
        const key = set.join(',');
        // Every honest sender must have been told its set first, or a late one would be left out of the signatures handed back.
        const allTold = (): boolean => c.honest.every((o) => !c.masked.has(o) || c.told.has(o));
        await until(() => allTold() && [...c.told].every(([o, told]) => told.join(',') !== key || c.signatures.has(o)), wait);
        return { signatures: signaturesOver(c, set).map(survivorSignatureToWire) };
      });
    },

    Unmask(call, callback) {
      answer(callback, async () => {
        const c = collection(call.request.caller?.collectionId);
        const org = String(call.request.caller?.orgId);
        const response = unmaskFromWire(org, call.request.shares);
        c.reveals.set(org, response);
        print({ event: 'revealed', collectionId: c.id, orgId: org, shares: response.shares.length });
        return {};
      });
    },

    MarkDropped(_call, callback) {
      callback(null, {});
    },

    CollectAggregate(call) {
      call.emit('error', fail(grpc.status.UNAVAILABLE, 'the hostile aggregator hands out no aggregate'));
    },

    EndJob(_call, callback) {
      callback(null, {});
    },
  };

  process.on('SIGUSR2', () => {
    for (const c of collections.values()) {
      const obtained = attemptUnmasking({
        collectionId: c.id,
        topology: c.topology,
        threshold: c.config.threshold,
        honest: c.honest,
        advertisements: c.advertisements,
        maskedInputs: [...c.masked],
        sharedKeys: new Set(c.shares.keys()),
        reveals: c.reveals,
        colluders: [...c.colluders].map(([org, colluder]) => holdingsOf(c.topology, org, colluder)),
        toldSets: [...new Map([...c.told.values()].map((set) => [set.join(','), set])).values()],
      });
      print({ event: 'obtained', ...obtained });
    }
  });

  const service = shoalProto().aggregator.shoal.v1.Aggregator.service;
  return startServer((server: grpc.Server) => server.addService(service, handlers as grpc.UntypedServiceImplementation), '127.0.0.1', 0, serverCredentials(loadTlsMaterial(script.tls))).then(({ port }) => {
    print({ event: 'ready', port });
    const stop = (): never => process.exit(0);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`hostile aggregator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
