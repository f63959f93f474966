import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTabularData } from '../../common/tabular-dataset';
import { writeProjectedDataset } from './projected-dataset';

describe('the projected dataset: only the granted columns, in a private copy', () => {
  let dir: string;
  let source: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-projection-'));
    source = join(dir, 'bank.csv');
    writeFileSync(source, 'id,income,secret_note,age,Y\n7,1200.5,"owes ""a lot"", see file",41,1\n\n8, 900 ,plain,33,0\n');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps the features and the label, in that order, and nothing else; the copy is 0600', async () => {
    const target = join(dir, 'dataset.csv');

    const projected = await writeProjectedDataset({ source, columns: ['age', 'income', 'Y'], target });

    expect(projected).toEqual({ path: target, rows: 2, columns: ['age', 'income', 'Y'] });
    expect(readFileSync(target, 'utf8')).toBe('age,income,Y\n41,1200.5,1\n33,900,0\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    // The trainer's own reader reads it as it read the original.
    const original = loadTabularData(source, { features: ['age', 'income'], label: 'Y', labelType: 'binary' });
    expect(loadTabularData(target, { features: ['age', 'income'], label: 'Y', labelType: 'binary' })).toEqual(original);
  });

  test('a granted column holding commas and quotes is written back quoted', async () => {
    const target = join(dir, 'dataset.csv');

    await writeProjectedDataset({ source, columns: ['secret_note', 'Y'], target });

    expect(readFileSync(target, 'utf8')).toBe('secret_note,Y\n"owes ""a lot"", see file",1\nplain,0\n');
  });

  test('a column the file lacks is DATASET_INVALID, naming the column only', async () => {
    await expect(writeProjectedDataset({ source, columns: ['age', 'X99', 'Y'], target: join(dir, 'dataset.csv') })).rejects.toMatchObject({ code: 'DATASET_INVALID', message: `${source} lacks the column(s) X99` });
  });

  test('a missing source is DATASET_MISSING', async () => {
    await expect(writeProjectedDataset({ source: join(dir, 'absent.csv'), columns: ['Y'], target: join(dir, 'dataset.csv') })).rejects.toMatchObject({ code: 'DATASET_MISSING' });
  });

  test('the copy is never written through a link planted where it goes', async () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched');
    const target = join(dir, 'dataset.csv');
    symlinkSync(victim, target);

    await expect(writeProjectedDataset({ source, columns: ['Y'], target })).rejects.toMatchObject({ code: 'DATASET_INVALID' });
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
  });
});
