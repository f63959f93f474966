/**
 * Gaussian noise for DP-FedAvg, and the arithmetic of distributed noise.
 *
 * The default source draws its uniforms from the OS CSPRNG
 * (crypto.randomFillSync), so the noise cannot be predicted from anything a
 * participant or coordinator can see. Tests use a seeded source instead.
 *
 * Known limitation: these are floating-point Gaussians (Marsaglia's polar
 * method on 53-bit uniforms). Floating-point samplers leak through their
 * low-order bits (Mironov 2012, "On Significance of the Least Significant
 * Bits for Differential Privacy"); a discrete Gaussian (Canonne, Kamath &
 * Steinke 2020) would close that gap.
 */
import { invalidSetting } from './errors';
import { createRng } from '../random';
import { secureUniformSource } from './secure-uniform';

/** A stream of independent N(0, 1) draws. */
export interface GaussianSource {
  next(): number;
}

/**
 * Marsaglia's polar method over a uniform [0, 1) stream: draws a point in the
 * unit disc and turns it into two independent standard normals, keeping the
 * second for the next call. No trigonometry; about 1.27 uniform pairs per pair.
 */
class PolarGaussianSource implements GaussianSource {
  private spare = 0;
  private hasSpare = false;

  constructor(private readonly uniform: () => number) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * factor;
    this.hasSpare = true;
    return u * factor;
  }
}

/** A new cryptographically secure N(0, 1) source with its own buffer. */
export function secureGaussianSource(): GaussianSource {
  return new PolarGaussianSource(secureUniformSource());
}

/** A reproducible N(0, 1) source for tests and simulations; never for a real job. */
export function seededGaussianSource(seed: number | string): GaussianSource {
  return new PolarGaussianSource(createRng(seed));
}

let sharedSecureSource: GaussianSource | undefined;

/** Adds independent N(0, std²) noise to every entry of `vector`, in place. */
export function addGaussianNoise(vector: Float64Array, std: number, random?: GaussianSource): void {
  if (!Number.isFinite(std) || std < 0) throw invalidSetting(`std must be a finite number >= 0, got ${std}`, { std });
  if (std === 0) return;
  const source = random ?? (sharedSecureSource ??= secureGaussianSource());
  for (let i = 0; i < vector.length; i++) vector[i] += std * source.next();
}

function checkParticipants(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw invalidSetting(`${name} must be a whole number >= 1, got ${value}`, { [name]: value });
}

function checkNoiseMultiplier(noiseMultiplier: number): void {
  if (!Number.isFinite(noiseMultiplier) || noiseMultiplier < 0) {
    throw invalidSetting(`noiseMultiplier must be a finite number >= 0, got ${noiseMultiplier}`, { noiseMultiplier });
  }
}

/**
 * Std each of m planned participants adds in distributed mode, z·C/√m, so
 * that the m shares sum to noise of std z·C, as central noise would.
 */
export function distributedNoiseStd(options: { noiseMultiplier: number; clipNorm: number; plannedParticipants: number }): number {
  const { noiseMultiplier, clipNorm, plannedParticipants } = options;
  checkNoiseMultiplier(noiseMultiplier);
  if (!Number.isFinite(clipNorm) || clipNorm <= 0) throw invalidSetting(`clipNorm must be a finite number > 0, got ${clipNorm}`, { clipNorm });
  checkParticipants('plannedParticipants', plannedParticipants);
  return (noiseMultiplier * clipNorm) / Math.sqrt(plannedParticipants);
}

/**
 * The noise multiplier a round actually had when only `actualParticipants` of
 * the planned ones contributed their distributed share: the sum carries
 * actual · z²C²/planned of variance, i.e. z·√(actual/planned). This, not z,
 * is what the accountant must record for that round.
 */
export function effectiveNoiseMultiplier(options: { noiseMultiplier: number; plannedParticipants: number; actualParticipants: number }): number {
  const { noiseMultiplier, plannedParticipants, actualParticipants } = options;
  checkNoiseMultiplier(noiseMultiplier);
  checkParticipants('plannedParticipants', plannedParticipants);
  checkParticipants('actualParticipants', actualParticipants);
  if (actualParticipants > plannedParticipants) {
    throw invalidSetting(`actualParticipants (${actualParticipants}) cannot exceed plannedParticipants (${plannedParticipants})`, { plannedParticipants, actualParticipants });
  }
  return noiseMultiplier * Math.sqrt(actualParticipants / plannedParticipants);
}
