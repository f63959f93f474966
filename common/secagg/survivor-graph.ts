/**
 * The neighbour graph restricted to the survivors. Pairwise masks exist only
 * along edges of the graph, so if the survivors fall into several connected
 * components, no mask links one component to another and whoever holds the
 * masked inputs learns each component's sum on its own. A hostile server can
 * cause this on the SecAgg+ ring by declaring runs of degree/2 consecutive
 * participants dropped in two places; every party therefore checks it.
 */
import type { SecAggTopology } from './secagg-config';

/**
 * Connected components of the neighbour graph induced on `survivors`, each
 * sorted, largest first (ties by first member). Survivors outside the cohort
 * are ignored. Breadth-first search: O(n·degree).
 */
export function survivorComponents(topology: Pick<SecAggTopology, 'neighbours'>, survivors: Iterable<string>): string[][] {
  const remaining = new Set<string>();
  for (const org of survivors) if (topology.neighbours.has(org)) remaining.add(org);
  const components: string[][] = [];
  for (const start of [...remaining].sort()) {
    if (!remaining.delete(start)) continue;
    const component = [start];
    for (let at = 0; at < component.length; at++) {
      for (const peer of topology.neighbours.get(component[at]) as readonly string[]) {
        if (remaining.delete(peer)) component.push(peer);
      }
    }
    components.push(component.sort());
  }
  return components.sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1));
}
