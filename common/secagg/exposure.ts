/**
 * How likely an active server, with a stated fraction of the participants
 * colluding with it, is to expose one honest participant's input (or the sum
 * of a part of the honest survivors) in a collection with a given neighbour
 * graph. Two events are bounded and their bounds added.
 *
 * 1. Both secrets of one participant. A participant's input is exposed once
 * the server holds t shares of both its self-mask seed and its masking key.
 * Colluding neighbours hand over theirs (c of them); the server then shows
 * two disjoint groups of honest neighbours different survivor sets, one group
 * revealing seed shares and the other masking-key shares. Each honest
 * neighbour reveals only one kind, so this needs 2(t − c) ≤ m − c honest
 * neighbours: exposure happens exactly when c ≥ 2t − m (Bonawitz et al.'s
 * active bound 2t > n + n_C, per neighbourhood). On the complete graph every
 * colluder is a neighbour; on the SecAgg+ ring each neighbourhood is,
 * marginally, a uniformly random k-subset of the other n − 1 participants
 * (the ring order is a uniform shuffle), so c is hypergeometric and a union
 * bound over the n participants bounds the chance that anyone is exposed.
 *
 * 2. Colluders bridging a split ring (sparse ring only). Pairwise masks exist
 * only along ring edges, so if no honest survivor sits in two runs of k/2
 * consecutive ring positions, the honest survivors between them share no
 * mask with the rest and the server learns their sum on its own. Without
 * colluders, survivor-graph.ts and t ≥ k/2 + 2 stop this: an honest survivor
 * beside such a run counts at most itself and its k/2 neighbours on the far
 * side, k/2 + 1 < t, and refuses to unmask. Colluders, though, sign whatever
 * the server wants and are counted: the server may declare the honest
 * members of the run dropped and keep the colluders in it as "survivors",
 * so the survivor graph stays connected through them while their masks are
 * known to the server. That border survivor then counts k/2 + 1 plus the
 * colluders among the k/2 run positions next to it, and proceeds once those
 * hold at least t − k/2 − 1 colluders. A ring splits only at two gaps, with
 * honest survivors between them, so a split needs two disjoint runs of k/2
 * consecutive ring positions each holding ≥ t − k/2 − 1 colluders. The
 * numbers in two fixed disjoint runs follow the multivariate hypergeometric
 * law (2 · k/2 of the n positions, c colluders), so the chance that both hold
 * enough is exact (zero once two runs would need more than c), and a union
 * bound over the fewer than n²/2 pairs of runs bounds the event. The
 * complete graph cannot split.
 *
 * The ring's shuffle comes from the collection's config digest, and the
 * coordinator chooses what goes into it (the collection id, the roster): a
 * coordinator that tries G candidate graphs and keeps the worst one raises
 * the ring's probability up to G times what is computed here. The bound is
 * per collection and per graph tried; it says nothing against grinding.
 */

export interface ExposureInput {
  participants: number;
  /** Neighbours of each participant besides itself; participants − 1 is the complete graph. */
  degree: number;
  threshold: number;
  /** γ: the fraction of participants that may collude with the server, in [0, 1). */
  collusionFraction: number;
}

/** ln(i!) for i ≤ the largest asked so far: the table grows on demand and is shared, since every call reuses it. */
const logFactorials: number[] = [0];

function logFactorial(i: number): number {
  for (let j = logFactorials.length; j <= i; j++) logFactorials.push(logFactorials[j - 1] + Math.log(j));
  return logFactorials[i];
}

/** ln C(n, k) from the log-factorial table. */
function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** P(X ≥ atLeast) for X hypergeometric: `draws` from `population` holding `marked`. */
export function hypergeometricTail(population: number, marked: number, draws: number, atLeast: number): number {
  if (atLeast <= 0) return 1;
  const total = logChoose(population, draws);
  let p = 0;
  for (let x = atLeast; x <= Math.min(marked, draws); x++) p += Math.exp(logChoose(marked, x) + logChoose(population - marked, draws - x) - total);
  return Math.min(1, p);
}

/**
 * P(X ≥ atLeast and Y ≥ atLeast) where X and Y count the marked among two
 * fixed disjoint sets of `size` each, when `marked` of `population` are
 * marked uniformly at random.
 */
export function twoRunsTail(population: number, marked: number, size: number, atLeast: number): number {
  const from = Math.max(0, atLeast);
  if (2 * from > marked || 2 * size > population) return 2 * size > population ? 1 : 0;
  const total = logChoose(population, marked);
  let p = 0;
  for (let x = from; x <= Math.min(size, marked); x++) {
    for (let y = from; y <= Math.min(size, marked - x); y++) {
      p += Math.exp(logChoose(size, x) + logChoose(size, y) + logChoose(population - 2 * size, marked - x - y) - total);
    }
  }
  return Math.min(1, p);
}

/** The colluders a fraction γ of n participants allows. */
export function colludersOf(participants: number, collusionFraction: number): number {
  return Math.floor(collusionFraction * participants + 1e-9);
}

/** P(a neighbourhood of `size` keeps fewer than `threshold` members) when each drops out independently with probability `dropoutRate`. */
export function binomialShortfall(size: number, threshold: number, dropoutRate: number): number {
  if (threshold > size) return 1;
  const keep = Math.log1p(-dropoutRate);
  const drop = Math.log(dropoutRate);
  let p = 0;
  // s = members kept; s < threshold ≤ size, so size − s ≥ 1 and drop = −∞ (no dropouts) gives 0, not NaN.
  for (let s = 0; s < threshold; s++) p += Math.exp(logChoose(size, s) + (s === 0 ? 0 : s * keep) + (size - s) * drop);
  return Math.min(1, p);
}

/** Whether `degree` gives the complete graph over `participants` (common/secagg's ring rule). */
export function isCompleteGraph(participants: number, degree: number): boolean {
  return degree >= participants - 1 || degree % 2 === 1;
}

/** Event 1: some honest participant's two secrets both reach the server. */
export function bothSecretsProbability(input: ExposureInput): number {
  const { participants: n, degree, threshold: t, collusionFraction } = input;
  const complete = isCompleteGraph(n, degree);
  const m = complete ? n : degree + 1;
  const colluders = colludersOf(n, collusionFraction);
  const needed = 2 * t - m;
  if (complete) return colluders >= needed ? 1 : 0;
  return Math.min(1, n * hypergeometricTail(n - 1, colluders, degree, needed));
}

/** Event 2: colluders in two disjoint runs of k/2 ring positions let a split survivor set pass (0 on the complete graph). */
export function ringBridgeProbability(input: ExposureInput): number {
  const { participants: n, degree, threshold: t, collusionFraction } = input;
  if (isCompleteGraph(n, degree)) return 0;
  const half = degree / 2;
  return Math.min(1, ((n * n) / 2) * twoRunsTail(n, colludersOf(n, collusionFraction), half, t - half - 1));
}

/** An upper bound on the probability that the server learns an honest participant's input, or a part of the honest sum, in one collection. */
export function exposureProbability(input: ExposureInput): number {
  return Math.min(1, bothSecretsProbability(input) + ringBridgeProbability(input));
}

/** An upper bound on the probability that some neighbourhood keeps fewer than t members under independent dropout: one tail on the complete graph, a union bound over the n neighbourhoods on the ring. */
export function shortfallProbability(participants: number, degree: number, threshold: number, dropoutRate: number): number {
  if (isCompleteGraph(participants, degree)) return binomialShortfall(participants, threshold, dropoutRate);
  return Math.min(1, participants * binomialShortfall(degree + 1, threshold, dropoutRate));
}
