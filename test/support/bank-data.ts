/**
 * Bank CSV slices cut from the credit-default example: rows drawn with a
 * seeded RNG, a held-out slice that no bank receives, and equal-sized
 * slices for each bank. The rows are copied as text, header included, so
 * each bank's file looks like the original.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, shuffleInPlace } from '../../common/random';
import { loadTabularData, type DatasetSelection, type TabularData } from '../../common/tabular-dataset';
import { creditDefault } from './repo-paths';

export interface BankDataOptions {
  orgIds: string[];
  rowsPerBank: number;
  heldOutRows: number;
  seed: number | string;
}

export interface BankData {
  banks: Array<{ orgId: string; path: string; rows: number }>;
  heldOutPath: string;
}

function csvLines(path: string): { header: string; rows: string[] } {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line.length > 0);
  return { header: lines[0], rows: lines.slice(1) };
}

export function writeBankData(dir: string, options: BankDataOptions): BankData {
  const { header, rows } = csvLines(creditDefault.csv);
  const needed = options.heldOutRows + options.orgIds.length * options.rowsPerBank;
  if (needed > rows.length) throw new Error(`asked for ${needed} rows; the example has ${rows.length}`);
  const order = Int32Array.from({ length: rows.length }, (_, i) => i);
  shuffleInPlace(order, createRng(options.seed));
  const write = (path: string, from: number, count: number): void => {
    const picked = Array.from(order.subarray(from, from + count), (i) => rows[i]);
    writeFileSync(path, `${[header, ...picked].join('\n')}\n`);
  };
  const heldOutPath = join(dir, 'held-out.csv');
  write(heldOutPath, 0, options.heldOutRows);
  const banks = options.orgIds.map((orgId, i) => {
    const path = join(dir, `${orgId}.csv`);
    write(path, options.heldOutRows + i * options.rowsPerBank, options.rowsPerBank);
    return { orgId, path, rows: options.rowsPerBank };
  });
  return { banks, heldOutPath };
}

/** Every bank's rows in one table, banks in order: what a centralized model would train on. */
export function loadPooledRows(data: BankData, selection: DatasetSelection): TabularData {
  const parts = data.banks.map((bank) => loadTabularData(bank.path, selection));
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const columns = parts[0].columns;
  const features = new Float32Array(rows * columns);
  const labels = new Float32Array(rows);
  let offset = 0;
  for (const part of parts) {
    features.set(part.features, offset * columns);
    labels.set(part.labels, offset);
    offset += part.rows;
  }
  return { rows, columns, features, labels };
}

export function loadHeldOutRows(data: BankData, selection: DatasetSelection): TabularData {
  return loadTabularData(data.heldOutPath, selection);
}
