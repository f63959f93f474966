/**
 * What one mode's round measured. The first four fields are the ones the
 * issue asks for; the rest explain them.
 */
import type { BenchMode } from './bench-options';
import type { Elapsed } from './stopwatch';

/** Where a round reports how far it got (stderr). */
export type Progress = (line: string) => void;

/** Where the aggregator's finish() spends its time. */
export interface FinishProfile {
  /** One per survivor: its self mask is removed. */
  selfMasks: number;
  /** One per (dropped participant, surviving neighbour): the mask the survivor added for it is removed. */
  pairwiseMasks: number;
  /** finish's one addMasks call: every mask expanded and subtracted from the sum. */
  maskExpansion: Elapsed;
  /** maskExpansion split in proportion to mask counts; each mask costs the same (d + 1 keystream words added into the sum). */
  selfMaskExpansion: Elapsed;
  pairwiseMaskExpansion: Elapsed;
  /** finish minus mask expansion: Shamir reconstruction, X25519 with dropped participants' keys, HKDF. */
  recovery: Elapsed;
}

export interface Verification {
  /** The unmasked sum equals the sum of the survivors' encoded inputs mod 2^32, bit for bit. */
  sumVerified: boolean;
  /** Largest |decoded weighted sum − float64 weighted sum| over the elements. */
  decodeMaxError: number;
  /** survivors · quantisation step · max weight: what stochastic rounding may add at most. */
  decodeBound: number;
  decodeWithinBound: boolean;
}

export interface ModeResult {
  mode: BenchMode;
  /** Mean over the survivors of each one's client-side CPU seconds, all phases. */
  participantSeconds: number;
  /** Aggregator CPU seconds, every call from the first advertisement to the unmasked sum. */
  aggregatorSeconds: number;
  /** Mean over the survivors of the bytes each sent (see message-bytes.ts). */
  bytesPerParticipant: number;
  participantWallSeconds: number;
  aggregatorWallSeconds: number;
  /** The survivor with the most CPU seconds. */
  slowestParticipantSeconds: number;
  /** Neighbours per participant, and shares needed per secret; null for plain. */
  degree: number | null;
  threshold: number | null;
  survivors: number;
  dropped: number;
  /** Mean over the survivors, per phase. */
  participantPhases: Record<string, Elapsed>;
  /** Of the participant's mask phase: masks expanded (its self mask and one per neighbour that shared keys) and their time; null for plain. */
  participantMasks: number | null;
  participantMaskExpansion: Elapsed | null;
  aggregatorPhases: Record<string, Elapsed>;
  finish: FinishProfile | null;
  /** Mean over the survivors, per message. */
  bytesSent: Record<string, number>;
  verification: Verification | null;
  /** Wall time of the whole mode, setup and verification included. */
  runWallSeconds: number;
}
