/**
 * One participant's side of secure aggregation (Bonawitz et al. 2017,
 * active-server variant, on the SecAgg+ neighbour graph). The methods are
 * the protocol's phases and must be called in order. A participant never
 * reveals both secrets of one peer: it signs one survivor set, unmasks only
 * with that set, and remembers which kind of share it revealed for whom.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { SecAggError, type SecAggPhase } from './errors';
import { hkdf, open, seal, x25519, x25519KeyPair, type RandomBytes, type X25519KeyPair } from './key-agreement';
import { InlineMaskExpander, sharedUint32Array, type MaskExpander, type MaskJob } from './mask-expansion';
import {
  badMessage,
  checkAdvertisement,
  checkMember,
  checkRoster,
  checkSurvivorSignature,
  countIn,
  normalizeSurvivors,
  sameMembers,
  SHARE_PLAINTEXT_BYTES,
} from './message-checks';
import { secAggTopology, type SecAggTopology } from './secagg-config';
import { isShareValue, SHARE_VALUE_BYTES, splitSecret } from './shamir';
import { survivorComponents } from './survivor-graph';
import { advertisementMessage, PAIRWISE_MASK_INFO, seedCommitment, SELF_MASK_INFO, SHARE_KEY_INFO, shareAssociatedData, survivorsMessage } from './transcript';
import type {
  EncryptedShare,
  IdentityKeyPair,
  IdentityRoster,
  KeyAdvertisement,
  RevealedShare,
  SecAggConfig,
  SurvivorSignature,
  UnmaskResponse,
} from './types';

export interface SecAggClientOptions {
  config: SecAggConfig;
  identity: IdentityKeyPair;
  roster: IdentityRoster;
  /** Source of every secret; defaults to crypto.randomBytes. Inject a seeded one only in tests and simulations. */
  randomBytes?: (size: number) => Buffer;
  /** Defaults to an InlineMaskExpander. */
  masks?: MaskExpander;
  /**
   * The fewest survivors, in the whole collection, this participant lets its
   * input be unmasked with (default: only its neighbourhood's threshold). The
   * aggregator names the survivors; this floor is the participant's own.
   */
  minSurvivors?: number;
}

type ClientState = 'new' | 'advertised' | 'shared' | 'masking' | 'masked' | 'signed';

/** This participant's shares (y values at its own x) of one owner's two secrets. */
interface HeldShares {
  seed: Uint8Array;
  maskingKey: Uint8Array;
}

interface OwnKeys {
  encryption: X25519KeyPair;
  masking: X25519KeyPair;
  seed: Buffer;
  advertisement: KeyAdvertisement;
}

const NEXT_STEP: Record<ClientState, string> = {
  new: 'advertiseKeys',
  advertised: 'shareKeys',
  shared: 'maskInput',
  masking: 'maskInput (still running)',
  masked: 'signSurvivors',
  signed: 'unmask',
};

function copyAdvertisement(ad: KeyAdvertisement): KeyAdvertisement {
  return {
    orgId: ad.orgId,
    encryptionKey: new Uint8Array(ad.encryptionKey),
    maskingKey: new Uint8Array(ad.maskingKey),
    seedCommitment: new Uint8Array(ad.seedCommitment),
    signature: new Uint8Array(ad.signature),
  };
}

/** The advertisement echoed back carries exactly the keys and seed commitment this participant generated. */
function sameOwnAdvertisement(echoed: KeyAdvertisement, own: KeyAdvertisement): boolean {
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  return same(echoed.encryptionKey, own.encryptionKey) && same(echoed.maskingKey, own.maskingKey) && same(echoed.seedCommitment, own.seedCommitment);
}

export class SecAggClient {
  private readonly config: SecAggConfig;
  private readonly identity: IdentityKeyPair;
  private readonly roster: IdentityRoster;
  private readonly randomBytes: RandomBytes;
  private readonly masks: MaskExpander;
  private readonly minSurvivors: number;
  private readonly topology: SecAggTopology;
  private readonly me: string;
  /** N[me], sorted, me included. */
  private readonly neighbourhood: readonly string[];
  private state: ClientState = 'new';
  private own: OwnKeys | undefined;
  /** Neighbours (not me) whose advertisement verified: their public keys. */
  private readonly peers = new Map<string, KeyAdvertisement>();
  /** owner → my shares of its secrets; my own entry from shareKeys, the others from maskInput. */
  private readonly held = new Map<string, HeldShares>();
  /** U2 as seen here: neighbours whose shares reached me. */
  private readonly sharedWithMe = new Set<string>();
  private signedSet: string[] | undefined;
  private survivorSignature: SurvivorSignature | undefined;
  private readonly revealed = new Map<string, RevealedShare['kind']>();
  private response: UnmaskResponse | undefined;

  constructor(options: SecAggClientOptions) {
    this.config = options.config;
    this.identity = options.identity;
    this.roster = options.roster;
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
    this.masks = options.masks ?? new InlineMaskExpander();
    this.minSurvivors = options.minSurvivors ?? 0;
    this.topology = secAggTopology(options.config);
    this.me = checkMember(this.topology, options.identity.orgId, 'advertise', 'identity');
    checkRoster(options.config, options.roster, 'advertise');
    const rosterKey = options.roster.get(this.me) as Uint8Array;
    if (Buffer.compare(Buffer.from(rosterKey), Buffer.from(options.identity.publicKey)) !== 0) {
      throw badMessage('advertise', `the identity of ${this.me} does not match its key in the roster`, this.me);
    }
    this.neighbourhood = this.topology.neighbours.get(this.me) as readonly string[];
  }

  private expect(state: ClientState, phase: SecAggPhase): void {
    if (this.state !== state) {
      throw new SecAggError('SECAGG_OUT_OF_ORDER', `${this.me} was asked for ${phase} but its next step is ${NEXT_STEP[this.state]}`, { phase, org: this.me, state: this.state });
    }
  }

  private refuse(code: 'SECAGG_TOO_FEW_SURVIVORS' | 'SECAGG_DOUBLE_REVEAL' | 'SECAGG_BAD_SIGNATURE', phase: SecAggPhase, message: string, details: Record<string, unknown> = {}): SecAggError {
    return new SecAggError(code, message, { phase, org: this.me, ...details });
  }

  /** Fresh X25519 keys for this collection, signed with the long-term identity. Repeat calls return the same advertisement. */
  advertiseKeys(): KeyAdvertisement {
    if (this.state === 'advertised' && this.own !== undefined) return copyAdvertisement(this.own.advertisement);
    this.expect('new', 'advertise');
    const encryption = x25519KeyPair(this.randomBytes);
    const masking = x25519KeyPair(this.randomBytes);
    const seed = Buffer.from(this.randomBytes(32));
    // Committed before any share leaves, so the server can check the seed it later reconstructs.
    const commitment = new Uint8Array(seedCommitment(this.topology.digest, this.me, seed));
    const message = advertisementMessage(this.topology.digest, this.me, encryption.publicKey, masking.publicKey, commitment);
    const advertisement = {
      orgId: this.me,
      encryptionKey: new Uint8Array(encryption.publicKey),
      maskingKey: new Uint8Array(masking.publicKey),
      seedCommitment: commitment,
      signature: this.identity.sign(message),
    };
    this.own = { encryption, masking, seed, advertisement };
    this.state = 'advertised';
    return copyAdvertisement(advertisement);
  }

  /** Verifies every advertisement, then Shamir-shares the self-mask seed and masking key among the advertised neighbourhood. */
  shareKeys(advertisements: KeyAdvertisement[]): EncryptedShare[] {
    this.expect('advertised', 'share');
    const own = this.own as OwnKeys;
    const seen = new Set<string>();
    for (const ad of advertisements) {
      checkAdvertisement(ad, this.topology, this.roster, 'share');
      if (seen.has(ad.orgId)) throw badMessage('share', `the advertised set lists ${ad.orgId} twice`, ad.orgId);
      seen.add(ad.orgId);
      if (ad.orgId === this.me && !sameOwnAdvertisement(ad, own.advertisement)) {
        throw badMessage('share', `the advertised set carries keys or a seed commitment for ${this.me} that it did not generate`, this.me);
      }
    }
    if (!seen.has(this.me)) throw badMessage('share', `the advertised set omits ${this.me} itself`, this.me);
    const peers = advertisements.filter((ad) => ad.orgId !== this.me && this.neighbourhood.includes(ad.orgId));
    const available = peers.length + 1;
    if (available < this.config.threshold) {
      throw this.refuse('SECAGG_TOO_FEW_SURVIVORS', 'share', `only ${available} of the ${this.neighbourhood.length} members of ${this.me}'s neighbourhood advertised keys; the threshold is ${this.config.threshold}`, { available, threshold: this.config.threshold });
    }
    const holders = [this.me, ...peers.map((ad) => ad.orgId)].sort();
    const xs = holders.map((org) => this.topology.index.get(org) as number);
    const seedShares = splitSecret(own.seed, xs, this.config.threshold, this.randomBytes);
    const keyShares = splitSecret(own.masking.privateKey, xs, this.config.threshold, this.randomBytes);
    const boxes: EncryptedShare[] = [];
    holders.forEach((holder, i) => {
      if (holder === this.me) {
        this.held.set(this.me, { seed: seedShares[i].y, maskingKey: keyShares[i].y });
        return;
      }
      const peer = peers.find((ad) => ad.orgId === holder) as KeyAdvertisement;
      const key = this.shareKey(peer, 'share');
      const plaintext = Buffer.concat([seedShares[i].y, keyShares[i].y]);
      const box = seal(key, this.randomBytes(12), plaintext, shareAssociatedData(this.topology.digest, this.me, holder));
      plaintext.fill(0);
      key.fill(0);
      boxes.push({ from: this.me, to: holder, ciphertext: new Uint8Array(box) });
    });
    for (const ad of peers) this.peers.set(ad.orgId, copyAdvertisement(ad));
    this.state = 'shared';
    return boxes;
  }

  private shareKey(peer: KeyAdvertisement, phase: SecAggPhase): Buffer {
    const secret = x25519((this.own as OwnKeys).encryption.privateKeyObject, peer.encryptionKey);
    if (secret === null) throw badMessage(phase, `the encryption key advertised by ${peer.orgId} is not a usable X25519 key`, peer.orgId);
    const key = hkdf(secret, this.topology.digest, SHARE_KEY_INFO);
    secret.fill(0);
    return key;
  }

  /** Decrypts the shares addressed to this participant and returns its input plus self and pairwise masks, mod 2^32. */
  async maskInput(sharesForMe: EncryptedShare[], input: Uint32Array): Promise<Uint32Array> {
    this.expect('shared', 'masked-input');
    const own = this.own as OwnKeys;
    if (!(input instanceof Uint32Array) || input.length !== this.config.elementCount) {
      throw badMessage('masked-input', `input of ${this.me} must be a Uint32Array of ${this.config.elementCount} elements, got ${input?.length ?? 'none'}`, this.me);
    }
    const received = new Map<string, HeldShares>();
    for (const share of sharesForMe) {
      const from = checkMember(this.topology, share?.from, 'masked-input', 'encrypted share');
      const peer = this.peers.get(from);
      if (peer === undefined) throw badMessage('masked-input', `a share from ${from}, which is not an advertised neighbour of ${this.me}`, from);
      if (share.to !== this.me) throw badMessage('masked-input', `a share from ${from} addressed to ${String(share.to)} was handed to ${this.me}`, from);
      if (received.has(from)) throw badMessage('masked-input', `two shares from ${from}`, from);
      const key = this.shareKey(peer, 'masked-input');
      const plaintext = share.ciphertext instanceof Uint8Array ? open(key, share.ciphertext, shareAssociatedData(this.topology.digest, from, this.me)) : null;
      key.fill(0);
      if (plaintext === null || plaintext.length !== SHARE_PLAINTEXT_BYTES) {
        throw badMessage('masked-input', `the share from ${from} does not decrypt for ${this.me} (tampered, or from another collection)`, from);
      }
      const held = { seed: new Uint8Array(plaintext.subarray(0, SHARE_VALUE_BYTES)), maskingKey: new Uint8Array(plaintext.subarray(SHARE_VALUE_BYTES)) };
      plaintext.fill(0);
      if (!isShareValue(held.seed) || !isShareValue(held.maskingKey)) throw badMessage('masked-input', `the share from ${from} holds values outside the field`, from);
      received.set(from, held);
    }
    const available = received.size + 1;
    if (available < this.config.threshold) {
      throw this.refuse('SECAGG_TOO_FEW_SURVIVORS', 'masked-input', `only ${available} of the ${this.neighbourhood.length} members of ${this.me}'s neighbourhood shared keys; the threshold is ${this.config.threshold}`, { available, threshold: this.config.threshold });
    }
    const jobs: MaskJob[] = [{ key: hkdf(own.seed, this.topology.digest, SELF_MASK_INFO), sign: 1 }];
    for (const from of [...received.keys()].sort()) {
      const peer = this.peers.get(from) as KeyAdvertisement;
      const secret = x25519(own.masking.privateKeyObject, peer.maskingKey);
      if (secret === null) throw badMessage('masked-input', `the masking key advertised by ${from} is not a usable X25519 key`, from);
      jobs.push({ key: hkdf(secret, this.topology.digest, PAIRWISE_MASK_INFO), sign: this.me < from ? 1 : -1 });
      secret.fill(0);
    }
    const masked = sharedUint32Array(input.length);
    masked.set(input);
    this.state = 'masking';
    try {
      await this.masks.addMasks(masked, jobs);
    } catch (err) {
      this.state = 'shared';
      throw err;
    } finally {
      for (const job of jobs) job.key.fill(0);
    }
    for (const [from, held] of received) {
      this.held.set(from, held);
      this.sharedWithMe.add(from);
    }
    this.state = 'masked';
    return masked;
  }

  /**
   * Survivors within the neighbourhood must number at least t, include this
   * participant and have shared keys with it; and the whole set must be one
   * connected part of the neighbour graph, which every party computes from
   * the config alone, so a server cannot hide a split ring from anyone.
   */
  private checkSurvivors(survivors: readonly string[], phase: SecAggPhase): void {
    const set = new Set(survivors);
    if (!set.has(this.me)) throw badMessage(phase, `the survivor set omits ${this.me}, which sent its masked input`, this.me);
    for (const org of this.neighbourhood) {
      if (org !== this.me && set.has(org) && !this.sharedWithMe.has(org)) {
        throw badMessage(phase, `the survivor set names ${org}, whose shares never reached ${this.me}`, org);
      }
    }
    const components = survivorComponents(this.topology, set);
    if (components.length > 1) {
      const sizes = components.map((component) => component.length);
      throw new SecAggError(
        'SECAGG_DISCONNECTED_SURVIVORS',
        `the survivor set of ${set.size} falls into ${components.length} parts of the neighbour graph (sizes ${sizes.join(', ')}); unmasking it would reveal the sum of each part, so ${this.me} refuses`,
        { phase, org: this.me, components: components.length, componentSizes: sizes },
      );
    }
    // The names are only an upper bound (the server chooses them); unmask also counts the signatures.
    if (set.size < this.minSurvivors) {
      throw this.refuse('SECAGG_TOO_FEW_SURVIVORS', phase, `the survivor set holds ${set.size} participants; ${this.me} lets its input be unmasked only in a sum of at least ${this.minSurvivors}`, { survivors: set.size, minSurvivors: this.minSurvivors });
    }
    const inNeighbourhood = countIn(this.neighbourhood, set);
    if (inNeighbourhood < this.config.threshold) {
      throw this.refuse('SECAGG_TOO_FEW_SURVIVORS', phase, `the survivor set holds ${inNeighbourhood} members of ${this.me}'s neighbourhood; the threshold is ${this.config.threshold}`, { survivors: inNeighbourhood, threshold: this.config.threshold });
    }
  }

  /** Signs the survivor set once; the same set again gives the same signature, a different one is refused. */
  signSurvivors(survivors: string[]): SurvivorSignature {
    const set = normalizeSurvivors(survivors, this.topology, 'consistency');
    if (this.state === 'signed' && this.signedSet !== undefined && this.survivorSignature !== undefined) {
      if (!sameMembers(set, this.signedSet)) {
        throw this.refuse('SECAGG_DOUBLE_REVEAL', 'consistency', `${this.me} already signed a different survivor set; signing a second could reveal both secrets of a peer`);
      }
      return { orgId: this.me, signature: new Uint8Array(this.survivorSignature.signature) };
    }
    this.expect('masked', 'consistency');
    this.checkSurvivors(set, 'consistency');
    const signature = this.identity.sign(survivorsMessage(this.topology.digest, set));
    this.signedSet = set;
    this.survivorSignature = { orgId: this.me, signature };
    this.state = 'signed';
    return { orgId: this.me, signature: new Uint8Array(signature) };
  }

  /**
   * Checks the signed survivor set, then reveals its shares of the self-mask
   * seeds of survivors and of the masking keys of neighbours that shared
   * keys but dropped. Only the set it signed is accepted.
   */
  unmask(survivors: string[], signatures: SurvivorSignature[]): UnmaskResponse {
    this.expect('signed', 'unmask');
    const set = normalizeSurvivors(survivors, this.topology, 'unmask');
    this.checkSurvivors(set, 'unmask');
    if (!sameMembers(set, this.signedSet as string[])) {
      throw this.refuse('SECAGG_DOUBLE_REVEAL', 'unmask', `${this.me} was asked to unmask a survivor set other than the one it signed; answering could reveal both secrets of a peer`);
    }
    if (this.response !== undefined) return this.copyResponse(this.response);
    const survivorSet = new Set(set);
    const signers = new Set<string>();
    let valid = 0;
    let validInNeighbourhood = 0;
    for (const signature of signatures) {
      const org = checkMember(this.topology, signature?.orgId, 'unmask', 'survivor-set signature');
      if (signers.has(org)) throw badMessage('unmask', `two survivor-set signatures from ${org}`, org);
      signers.add(org);
      // Every survivor's signature is verified, not only neighbours': the floor below counts them (O(n) verifies, fine for n <= 256).
      if (survivorSet.has(org)) {
        checkSurvivorSignature(signature, set, this.topology, this.roster, 'unmask');
        valid++;
        if (this.neighbourhood.includes(org)) validInNeighbourhood++;
      }
    }
    if (validInNeighbourhood < this.config.threshold) {
      throw this.refuse('SECAGG_BAD_SIGNATURE', 'unmask', `the survivor set carries ${validInNeighbourhood} valid signatures from survivors in ${this.me}'s neighbourhood; the threshold is ${this.config.threshold}`, { signatures: validInNeighbourhood, threshold: this.config.threshold });
    }
    // A hostile server can pad the survivor set with names that sent nothing; only a survivor that signed proves it took part.
    if (valid < this.minSurvivors) {
      throw this.refuse('SECAGG_TOO_FEW_SURVIVORS', 'unmask', `only ${valid} of the ${set.length} named survivors signed the survivor set; ${this.me} lets its input be unmasked only in a sum of at least ${this.minSurvivors}`, { signatures: valid, named: set.length, minSurvivors: this.minSurvivors });
    }
    const x = this.topology.index.get(this.me) as number;
    const shares: RevealedShare[] = [];
    for (const owner of this.neighbourhood) {
      const held = this.held.get(owner);
      if (held === undefined) continue;
      const kind: RevealedShare['kind'] = survivorSet.has(owner) ? 'self-mask-seed' : 'masking-key';
      const before = this.revealed.get(owner);
      if (before !== undefined && before !== kind) {
        throw this.refuse('SECAGG_DOUBLE_REVEAL', 'unmask', `${this.me} already revealed its ${before} share of ${owner}; revealing the ${kind} share too would expose ${owner}'s input`, { owner });
      }
      shares.push({ owner, kind, x, y: kind === 'self-mask-seed' ? held.seed : held.maskingKey });
    }
    for (const share of shares) this.revealed.set(share.owner, share.kind);
    this.response = { orgId: this.me, shares };
    return this.copyResponse(this.response);
  }

  private copyResponse(response: UnmaskResponse): UnmaskResponse {
    return { orgId: response.orgId, shares: response.shares.map((share) => ({ ...share, y: new Uint8Array(share.y) })) };
  }
}
