/**
 * The second half of verifying a log: walking its chain in file order, once
 * each line has been checked alone. After a problem the walk re-synchronises
 * on the next entry instead of reporting every line after it, so one edit,
 * deletion or swap gives one problem.
 */
import { GENESIS_PREV, type AuditEntry } from './audit-entry';
import type { AuditProblemKind } from './verify-audit-log';

export type Report = (line: number, kind: AuditProblemKind, message: string) => void;

export interface LineRecord {
  line: number;
  /** Null for a line that holds no entry. */
  entry: AuditEntry | null;
  /** What is wrong with the entry on its own; none means it is authentic (or, with no trusted key, correctly hashed). */
  damage?: Damage;
}

export type Damage = 'edited' | 'bad-signature';

/** Where the walk stands: the last entry placed in the chain. A null hash means it was damaged, so the next link cannot be checked. */
interface ChainEnd {
  seq: number;
  hash: string | null;
}

export function walkChain(records: LineRecord[], startsWithGenesis: boolean, report: Report): void {
  const walk = new ChainWalk(records, report, startsWithGenesis ? { seq: -1, hash: GENESIS_PREV } : null);
  records.forEach((record, index) => walk.step(record, records[index + 1]?.entry ?? null));
}

/** Reads the chain in file order, the way a person checking it by hand would: from each entry, what should come next? */
class ChainWalk {
  private readonly linesOf: Map<number, number[]>;
  private readonly authenticLinesOf: Map<number, number[]>;
  /** Entries a 'reordered' problem already said turn up later; finding them there is no new problem. */
  private readonly announced = new Set<number>();

  constructor(
    records: LineRecord[],
    private readonly report: Report,
    /** Null after a line with no entry: the next entry is taken as it is and the walk carries on from it. */
    private end: ChainEnd | null,
  ) {
    this.linesOf = linesBySeq(records, () => true);
    this.authenticLinesOf = linesBySeq(records, (record) => record.damage === undefined);
  }

  step(record: LineRecord, next: AuditEntry | null): void {
    const { entry, line, damage } = record;
    if (entry === null) this.end = null;
    else if (damage !== undefined) this.damaged(entry, line, damage, next);
    else if (this.end === null) this.end = { seq: entry.seq, hash: entry.hash };
    else this.authentic(entry, line, this.end);
  }

  private damaged(entry: AuditEntry, line: number, damage: Damage, next: AuditEntry | null): void {
    const end = this.end;
    if (end?.hash && next && next.seq === end.seq + 1 && next.prev === end.hash) {
      this.report(line, 'inserted', `entry ${entry.seq} was inserted: it is ${damage === 'edited' ? 'not hashed correctly' : "not signed by the log's key"}, and the next line links straight to entry ${end.seq}`);
      return;
    }
    this.report(line, damage, damage === 'edited' ? `entry ${entry.seq} was edited: its hash does not match its content` : `entry ${entry.seq} has a bad signature: its hash matches its content, so it was changed and re-hashed by someone without the log's key (or its signature was altered)`);
    // Its own seq may be what was edited, so it is taken to hold the next place and the entries after it are still checked.
    this.end = end === null ? null : { seq: end.seq + 1, hash: null };
  }

  private authentic(entry: AuditEntry, line: number, end: ChainEnd): void {
    const expected = end.seq + 1;
    if (entry.seq === expected) {
      if (end.hash !== null && entry.prev !== end.hash) {
        this.report(line, 'broken-link', `entry ${entry.seq} does not link to entry ${end.seq}: it names ${entry.prev.slice(0, 12)}… as its predecessor, entry ${end.seq} hashes to ${end.hash.slice(0, 12)}…`);
      }
      this.end = { seq: entry.seq, hash: entry.hash };
      return;
    }
    const twin = (this.authenticLinesOf.get(entry.seq) ?? []).find((other) => other !== line);
    if (twin !== undefined) {
      this.report(line, 'inserted', `entry ${entry.seq} was inserted: the log holds entry ${entry.seq} on line ${twin} too, and this copy is out of place`);
    } else if (entry.seq < expected) {
      if (!this.announced.has(entry.seq)) this.report(line, 'reordered', `entry ${entry.seq} is out of order: it comes after entry ${end.seq}`);
    } else {
      this.gap(entry, line, end);
    }
  }

  /** The entry skips ahead: the entries in between come later in the file (reordered) or nowhere (missing). */
  private gap(entry: AuditEntry, line: number, end: ChainEnd): void {
    const from = end.seq + 1;
    const present = seqsBetween(this.linesOf, from, entry.seq);
    const later = present.filter((seq) => this.linesOf.get(seq)!.some((other) => other > line));
    if (later.length > 0) {
      this.report(line, 'reordered', `entry ${entry.seq} is out of order: it comes before entry ${later[0]} (line ${this.linesOf.get(later[0])![0]})`);
      later.forEach((seq) => this.announced.add(seq));
    }
    if (entry.seq - from > present.length) {
      this.report(line, 'missing', `${missingEntries(from, entry.seq - 1, present)}: the log goes from entry ${end.seq} to entry ${entry.seq}`);
    }
    // Its predecessor is elsewhere or gone, so its link cannot be checked; carry on from it.
    this.end = { seq: entry.seq, hash: entry.hash };
  }
}

function linesBySeq(records: LineRecord[], include: (record: LineRecord) => boolean): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const record of records) {
    if (record.entry === null || !include(record)) continue;
    const lines = map.get(record.entry.seq);
    if (lines) lines.push(record.line);
    else map.set(record.entry.seq, [record.line]);
  }
  return map;
}

/** The seqs in [from, to) that some line holds, in order; whichever is cheaper of probing the range or scanning the map, since a forged seq can open a huge gap. */
function seqsBetween(linesOf: Map<number, number[]>, from: number, to: number): number[] {
  if (to - from <= linesOf.size) return Array.from({ length: to - from }, (_, offset) => from + offset).filter((seq) => linesOf.has(seq));
  return [...linesOf.keys()].filter((seq) => seq >= from && seq < to).sort((a, b) => a - b);
}

/** Names the seqs from `from` to `to` that no line holds; a count rather than a list when some in between are present. */
function missingEntries(from: number, to: number, present: number[]): string {
  const count = to - from + 1 - present.length;
  if (present.length === 0) return count === 1 ? `entry ${from} is missing` : `entries ${from}–${to} are missing`;
  const held = new Set(present);
  const firstAbsent = Array.from({ length: present.length + 1 }, (_, offset) => from + offset).find((seq) => !held.has(seq))!;
  return count === 1 ? `entry ${firstAbsent} is missing` : `${count} entries between ${from} and ${to} are missing`;
}
