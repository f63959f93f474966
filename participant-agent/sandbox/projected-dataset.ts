/**
 * The dataset as one job may see it: a private copy of the organisation's
 * CSV file holding only the columns the job declared (its features and its
 * label), which the offer was accepted for because the policy grants them.
 * The trainer is handed this copy, never the original, so a column the
 * policy does not grant is not there to be read, whatever the trainer's code.
 * Rows are streamed: memory stays bounded by one row, whatever the file's size.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { errorMessage } from '../../common/errors';
import { DatasetError } from '../../common/tabular-dataset';

/** The copy's name in its run folder; the trainer sees it as /data/dataset.csv in the Docker sandbox. */
export const PROJECTED_DATASET_FILE = 'dataset.csv';

export interface ProjectionRequest {
  /** The organisation's dataset file. */
  source: string;
  /** The columns to keep, in this order (the job's features, then its label). */
  columns: string[];
  /** Where the copy is written; must not exist yet. Created readable by the agent only (0600). */
  target: string;
}

export interface ProjectedDataset {
  path: string;
  rows: number;
  columns: string[];
}

/** A CSV field as written back: quoted only when it must be. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Keeps the chosen columns of every record; the first record is the header. */
class ColumnProjection extends Transform {
  rows = 0;
  private indices: number[] | null = null;

  constructor(private readonly columns: string[], private readonly source: string) {
    super({ writableObjectMode: true });
  }

  override _transform(record: string[], _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.indices) {
      const position = new Map(record.map((name, i) => [name, i]));
      const missing = this.columns.filter((name) => !position.has(name));
      if (missing.length > 0) {
        // Names only: the same words the trainer would use, and no value from the data.
        done(new DatasetError('DATASET_INVALID', `${this.source} lacks the column(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`));
        return;
      }
      this.indices = this.columns.map((name) => position.get(name) as number);
      done(null, `${this.columns.map(field).join(',')}\n`);
      return;
    }
    this.rows++;
    done(null, `${this.indices.map((i) => field(record[i])).join(',')}\n`);
  }

  override _flush(done: TransformCallback): void {
    done(this.indices ? null : new DatasetError('DATASET_INVALID', `${this.source} has no header row`));
  }
}

export async function writeProjectedDataset(request: ProjectionRequest): Promise<ProjectedDataset> {
  const columns = [...new Set(request.columns)];
  const projection = new ColumnProjection(columns, request.source);
  try {
    await pipeline(
      createReadStream(request.source),
      // The same reading as the trainer's (common/tabular-dataset.ts), so the copy parses as the original did.
      parse({ skip_empty_lines: true, trim: true }),
      projection,
      // wx: never through a file or link that is already there.
      createWriteStream(request.target, { flags: 'wx', mode: 0o600 }),
    );
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (err as NodeJS.ErrnoException).path === request.source) {
      throw new DatasetError('DATASET_MISSING', `cannot read dataset file ${request.source}: it does not exist`, err);
    }
    throw new DatasetError('DATASET_INVALID', `could not copy the granted columns of ${request.source}: ${errorMessage(err)}`, err);
  }
  if (projection.rows === 0) throw new DatasetError('DATASET_INVALID', `${request.source} has no data rows`);
  return { path: request.target, rows: projection.rows, columns };
}
