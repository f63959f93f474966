/**
 * Reads an organisation's local CSV file into feature and label arrays for
 * the columns a job asks for. Errors name the file, the column and the line,
 * never a value from the data.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ShoalError, errorMessage } from './errors';
import type { JobSpec } from './job-spec';

export interface TabularData {
  rows: number;
  columns: number;
  /** Row-major rows × columns. */
  features: Float32Array;
  /** Binary: 0/1; categorical: class index; continuous: the value. */
  labels: Float32Array;
}

export class DatasetError extends ShoalError {
  constructor(code: 'DATASET_MISSING' | 'DATASET_INVALID', message: string, cause?: unknown) {
    super(code, message, { component: 'common', cause });
    this.name = 'DatasetError';
  }
}

export type DatasetSelection = Pick<JobSpec['dataset'], 'features' | 'label' | 'labelType' | 'classes'>;

export function parseCsvTable(text: string, source: string): { header: string[]; records: string[][] } {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new DatasetError('DATASET_INVALID', `${source} is not a readable CSV file: ${errorMessage(err)}`, err);
  }
  if (records.length < 2) throw new DatasetError('DATASET_INVALID', `${source} has no data rows`);
  return { header: records[0], records: records.slice(1) };
}

export function selectColumns(table: { header: string[]; records: string[][] }, selection: DatasetSelection, source: string): TabularData {
  const index = new Map(table.header.map((name, i) => [name, i]));
  const missing = [...selection.features, selection.label].filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw new DatasetError('DATASET_INVALID', `${source} lacks the column(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
  }
  const featureIndex = selection.features.map((name) => index.get(name) as number);
  const labelIndex = index.get(selection.label) as number;
  const rows = table.records.length;
  const columns = featureIndex.length;
  const features = new Float32Array(rows * columns);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const record = table.records[r];
    for (let c = 0; c < columns; c++) {
      const value = Number(record[featureIndex[c]]);
      if (record[featureIndex[c]] === '' || !Number.isFinite(value)) {
        throw new DatasetError('DATASET_INVALID', `${source} line ${r + 2}: column ${selection.features[c]} is not a finite number`);
      }
      features[r * columns + c] = value;
    }
    const label = Number(record[labelIndex]);
    const validLabel =
      selection.labelType === 'binary' ? label === 0 || label === 1
      : selection.labelType === 'categorical' ? Number.isInteger(label) && label >= 0 && label < (selection.classes ?? 0)
      : Number.isFinite(label);
    if (record[labelIndex] === '' || !validLabel) {
      const expected = selection.labelType === 'binary' ? '0 or 1' : selection.labelType === 'categorical' ? `a class index 0..${(selection.classes ?? 1) - 1}` : 'a finite number';
      throw new DatasetError('DATASET_INVALID', `${source} line ${r + 2}: label column ${selection.label} is not ${expected}`);
    }
    labels[r] = label;
  }
  return { rows, columns, features, labels };
}

export function loadTabularData(path: string, selection: DatasetSelection): TabularData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? 'DATASET_MISSING' : 'DATASET_INVALID', `cannot read dataset file ${path}: ${code === 'ENOENT' ? 'it does not exist' : errorMessage(err)}`, err);
  }
  return selectColumns(parseCsvTable(text, path), selection, path);
}

/** A subset of rows, copied. */
export function takeRows(data: TabularData, indices: ArrayLike<number>): TabularData {
  const features = new Float32Array(indices.length * data.columns);
  const labels = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    features.set(data.features.subarray(row * data.columns, (row + 1) * data.columns), i * data.columns);
    labels[i] = data.labels[row];
  }
  return { rows: indices.length, columns: data.columns, features, labels };
}
