/**
 * How likely an active server, with a stated fraction of the participants
 * colluding with it, is to expose one honest participant's input in a
 * collection with a given neighbour graph.
 *
 * A participant's input is exposed once the server holds t shares of both
 * its self-mask seed and its masking key. Colluding neighbours hand over
 * theirs (c of them); the server then shows two disjoint groups of honest
 * neighbours different survivor sets, one group revealing seed shares and
 * the other masking-key shares. Each honest neighbour reveals only one kind,
 * so this needs 2(t − c) ≤ m − c honest neighbours: exposure happens exactly
 * when c ≥ 2t − m (Bonawitz et al.'s active bound 2t > n + n_C, per
 * neighbourhood). On the complete graph every colluder is a neighbour; on
 * the SecAgg+ ring each neighbourhood is, marginally, a uniformly random
 * k-subset of the other n − 1 participants (the ring order is a uniform
 * shuffle), so c is hypergeometric and a union bound over the n
 * participants bounds the chance that anyone is exposed.
 *
 * The ring's shuffle comes from the collection's config digest, which the
 * coordinator's choices (collection id, roster) influence: a coordinator
 * that tries many graphs multiplies this probability by the number it tries.
 */

export interface ExposureInput {
  participants: number;
  /** Neighbours of each participant besides itself; participants − 1 is the complete graph. */
  degree: number;
  threshold: number;
  /** γ: the fraction of participants that may collude with the server, in [0, 1). */
  collusionFraction: number;
}

/** ln C(n, k) through log-gamma sums (exact enough for n ≤ 10^6). */
function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let sum = 0;
  const small = Math.min(k, n - k);
  for (let i = 1; i <= small; i++) sum += Math.log(n - small + i) - Math.log(i);
  return sum;
}

/** P(X ≥ atLeast) for X hypergeometric: `draws` from `population` holding `marked`. */
export function hypergeometricTail(population: number, marked: number, draws: number, atLeast: number): number {
  if (atLeast <= 0) return 1;
  const total = logChoose(population, draws);
  let p = 0;
  for (let x = atLeast; x <= Math.min(marked, draws); x++) p += Math.exp(logChoose(marked, x) + logChoose(population - marked, draws - x) - total);
  return Math.min(1, p);
}

/** The colluders a fraction γ of n participants allows. */
export function colludersOf(participants: number, collusionFraction: number): number {
  return Math.floor(collusionFraction * participants + 1e-9);
}

/** An upper bound on the probability that some honest participant's input is exposed in one collection. */
export function exposureProbability(input: ExposureInput): number {
  const { participants: n, degree, threshold: t, collusionFraction } = input;
  const complete = degree >= n - 1 || degree % 2 === 1;
  const m = complete ? n : degree + 1;
  const colluders = colludersOf(n, collusionFraction);
  const needed = 2 * t - m;
  if (complete) return colluders >= needed ? 1 : 0;
  return Math.min(1, n * hypergeometricTail(n - 1, colluders, degree, needed));
}
