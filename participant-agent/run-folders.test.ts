import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrownShoalError } from '../common/testing/thrown-shoal-error';
import { assertPlainFolder, jobFolderName, jobRunsFolder, pathInside, prepareRunFolder, removeJobRuns, removeRunFolder } from './run-folders';

let workDir: string;
let outside: string;
/** The organisation's records, as the agent keeps them at the top of its work folder. */
const RECORDS = ['audit.jsonl', 'privacy-ledger.json', 'identity-ed25519.pem', 'audit-head.json'];

beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), 'shoal-run-folders-'));
  workDir = join(base, 'work');
  outside = join(base, 'outside');
  mkdirSync(join(workDir, 'moderation', 'pending'), { recursive: true });
  mkdirSync(outside);
  for (const name of RECORDS) writeFileSync(join(workDir, name), name);
  writeFileSync(join(workDir, 'moderation', 'pending', 'job-1.json'), '{}');
  writeFileSync(join(outside, 'precious.txt'), 'precious');
});
afterEach(() => {
  rmSync(join(workDir, '..'), { recursive: true, force: true });
});

function recordsIntact(): void {
  for (const name of RECORDS) expect(readFileSync(join(workDir, name), 'utf8')).toBe(name);
  expect(readFileSync(join(workDir, 'moderation', 'pending', 'job-1.json'), 'utf8')).toBe('{}');
  expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('precious');
}

describe('run folders', () => {
  it('live under <workDir>/runs/<first 32 hex of sha256(jobId)>/<collectionId>, with fresh in/ and out/', () => {
    const hash = createHash('sha256').update('credit-1').digest('hex').slice(0, 32);
    expect(jobFolderName('credit-1')).toBe(hash);
    writeFileSync(join(workDir, 'stale'), 'x');
    mkdirSync(join(workDir, 'runs', hash, 'fit-1', 'out'), { recursive: true });
    writeFileSync(join(workDir, 'runs', hash, 'fit-1', 'out', 'result.json'), 'left by an earlier attempt');

    const run = prepareRunFolder(workDir, 'credit-1', 'fit-1');

    expect(run).toEqual({ runDir: join(workDir, 'runs', hash, 'fit-1'), inputDir: join(workDir, 'runs', hash, 'fit-1', 'in'), outputDir: join(workDir, 'runs', hash, 'fit-1', 'out') });
    expect(readdirSync(run.inputDir)).toEqual([]);
    expect(readdirSync(run.outputDir)).toEqual([]);
    expect(jobRunsFolder(workDir, 'credit-1')).toBe(join(workDir, 'runs', hash));
  });

  it.each(['audit.jsonl', 'privacy-ledger.json', 'moderation', 'identity-ed25519.pem', '.', '..'])('a job called %j cannot name, and cleanup cannot remove, any of the records', (jobId) => {
    const run = prepareRunFolder(workDir, jobId, 'fit-1');
    writeFileSync(join(run.outputDir, 'result.json'), '{}');
    removeRunFolder(workDir, jobId, run.runDir);
    removeJobRuns(workDir, jobId);

    recordsIntact();
    expect(readdirSync(workDir).sort()).toEqual([...RECORDS, 'moderation', 'runs'].sort());
    expect(readdirSync(join(workDir, 'runs'))).toEqual([]);
  });

  it('per-job cleanup removes that job\'s runs and no other job\'s', () => {
    prepareRunFolder(workDir, 'job-a', 'fit-1');
    const other = prepareRunFolder(workDir, 'job-b', 'fit-1');
    removeJobRuns(workDir, 'job-a');
    expect(existsSync(jobRunsFolder(workDir, 'job-a'))).toBe(false);
    expect(existsSync(other.inputDir)).toBe(true);
    recordsIntact();
  });

  it.each(['../../x', '..', '.', 'audit.jsonl', '../outside', '/etc', 'a/b', 'fit-1.1.2', ''])('refuses the collection id %j before touching anything', (collectionId) => {
    const before = readdirSync(workDir).sort();
    thrownShoalError(() => prepareRunFolder(workDir, 'credit-1', collectionId), 'INVALID_IDENTIFIER');
    expect(readdirSync(workDir).sort()).toEqual(before);
    recordsIntact();
  });

  it('refuses to remove a path that is not one of the job\'s run folders', () => {
    const run = prepareRunFolder(workDir, 'credit-1', 'fit-1');
    for (const path of [workDir, join(workDir, 'runs'), jobRunsFolder(workDir, 'credit-1'), join(run.runDir, '..', '..', '..', 'audit.jsonl'), outside, join(run.runDir, 'in')]) {
      thrownShoalError(() => removeRunFolder(workDir, 'credit-1', path), 'INVALID_IDENTIFIER');
    }
    expect(existsSync(run.inputDir)).toBe(true);
    recordsIntact();
  });
});

describe('pathInside', () => {
  it('resolves a path below its root', () => {
    expect(pathInside(workDir, 'runs', 'abc', 'fit-1')).toBe(join(workDir, 'runs', 'abc', 'fit-1'));
    expect(pathInside(`${workDir}/./`, 'runs/./x')).toBe(join(workDir, 'runs', 'x'));
  });

  it.each([[['..']], [['../outside']], [['runs', '..', '..', 'outside']], [['/etc/passwd']], [['.']], [[]], [['runs/../..']]])('refuses %j, which leaves the root or is the root', (parts) => {
    const error = thrownShoalError(() => pathInside(workDir, ...parts), 'RUN_FOLDER_UNSAFE');
    expect(error.message).toContain(`does not name a place inside ${workDir}`);
  });

  it('refuses a path through a symbolic link, even one pointing back inside', () => {
    symlinkSync(outside, join(workDir, 'runs'));
    const error = thrownShoalError(() => pathInside(workDir, 'runs', 'abc', 'fit-1'), 'RUN_FOLDER_UNSAFE');
    expect(error.message).toBe(`${join(workDir, 'runs')} is a symbolic link; run folders must be plain folders inside ${workDir}`);
    rmSync(join(workDir, 'runs'));
    mkdirSync(join(workDir, 'runs'));
    symlinkSync(join(workDir, 'moderation'), join(workDir, 'runs', jobFolderName('credit-1')));
    thrownShoalError(() => pathInside(workDir, 'runs', jobFolderName('credit-1'), 'fit-1'), 'RUN_FOLDER_UNSAFE');
  });

  it('refuses to prepare or clean up a run through a linked runs/ or job folder, and leaves the link\'s target alone', () => {
    symlinkSync(outside, join(workDir, 'runs'));
    thrownShoalError(() => prepareRunFolder(workDir, 'credit-1', 'fit-1'), 'RUN_FOLDER_UNSAFE');
    thrownShoalError(() => removeJobRuns(workDir, 'credit-1'), 'RUN_FOLDER_UNSAFE');
    rmSync(join(workDir, 'runs'));
    mkdirSync(join(workDir, 'runs'));
    symlinkSync(outside, join(workDir, 'runs', jobFolderName('credit-1')));
    thrownShoalError(() => prepareRunFolder(workDir, 'credit-1', 'fit-1'), 'RUN_FOLDER_UNSAFE');
    thrownShoalError(() => removeJobRuns(workDir, 'credit-1'), 'RUN_FOLDER_UNSAFE');
    expect(readdirSync(outside)).toEqual(['precious.txt']);
    recordsIntact();
  });

  it('refuses a linked collection folder left in place (mkdir -p would follow it), and leaves its target alone', () => {
    const jobDir = join(workDir, 'runs', jobFolderName('credit-1'));
    mkdirSync(jobDir, { recursive: true });
    symlinkSync(outside, join(jobDir, 'fit-1'));
    thrownShoalError(() => pathInside(jobDir, 'fit-1', 'in'), 'RUN_FOLDER_UNSAFE');
    thrownShoalError(() => prepareRunFolder(workDir, 'credit-1', 'fit-1'), 'RUN_FOLDER_UNSAFE');
    expect(lstatSync(join(jobDir, 'fit-1')).isSymbolicLink()).toBe(true);
    expect(readdirSync(outside)).toEqual(['precious.txt']);
    // Per-job cleanup removes the link itself, never what it points at.
    removeJobRuns(workDir, 'credit-1');
    expect(existsSync(jobDir)).toBe(false);
    expect(readdirSync(outside)).toEqual(['precious.txt']);
  });

  it('refuses a path through a file', () => {
    thrownShoalError(() => pathInside(workDir, 'audit.jsonl', 'x'), 'RUN_FOLDER_UNSAFE');
  });
});

describe('assertPlainFolder', () => {
  it('takes a folder and refuses a link to one, a file, and nothing', () => {
    assertPlainFolder(outside);
    symlinkSync(outside, join(workDir, 'link'));
    expect(thrownShoalError(() => assertPlainFolder(join(workDir, 'link')), 'RUN_FOLDER_UNSAFE').message).toBe(`${join(workDir, 'link')} is not a plain folder (it is a symbolic link)`);
    thrownShoalError(() => assertPlainFolder(join(workDir, 'audit.jsonl')), 'RUN_FOLDER_UNSAFE');
    thrownShoalError(() => assertPlainFolder(join(workDir, 'nothing')), 'RUN_FOLDER_UNSAFE');
  });
});
