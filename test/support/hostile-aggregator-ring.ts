/**
 * The survivor set that splits a SecAgg+ ring: the ring's order is not
 * secret (every party computes it from the config), so a server can name
 * two runs of degree/2 consecutive members, opposite each other, as dropped.
 * No pairwise mask then links the two arcs, and unmasking the rest would
 * reveal each arc's sum on its own.
 */
import type { SecAggTopology } from '../../common/secagg/secagg-config';

/**
 * The ring order, recovered from the neighbourhoods: members one step apart
 * share degree neighbourhood members, members further apart fewer.
 */
export function ringOrder(topology: SecAggTopology, degree: number): string[] {
  const members = (org: string): readonly string[] => topology.neighbours.get(org) as readonly string[];
  const common = (a: string, b: string): number => members(a).filter((org) => members(b).includes(org)).length;
  const order = [topology.participants[0]];
  const placed = new Set(order);
  while (order.length < topology.participants.length) {
    const at = order[order.length - 1];
    const next = members(at).find((org) => !placed.has(org) && common(at, org) === degree);
    if (next === undefined) throw new Error(`cannot walk the ring from ${at}: is the graph a sparse ring of degree ${degree}?`);
    order.push(next);
    placed.add(next);
  }
  return order;
}

/** Everyone but two runs of degree/2 members, at ring positions 0 and n/2. */
export function ringSplitSurvivors(topology: SecAggTopology, degree: number): string[] {
  const order = ringOrder(topology, degree);
  const half = degree / 2;
  const opposite = Math.floor(order.length / 2);
  const dropped = new Set([...order.slice(0, half), ...order.slice(opposite, opposite + half)]);
  return order.filter((org) => !dropped.has(org)).sort();
}
