import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureOutput, readOutputFile, removeNonRegularEntries } from './output-dir';

describe('the output folder as the agent reads it', () => {
  let dir: string;
  let out: string;
  /** Stands for one of the agent's own files (its audit log) outside the output folder. */
  let secret: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-output-dir-'));
    out = join(dir, 'out');
    mkdirSync(out);
    secret = join(dir, 'audit.jsonl');
    writeFileSync(secret, '{"seq":0}\n');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('measureOutput counts bytes of regular files and every entry at every depth', async () => {
    writeFileSync(join(out, 'result.json'), '12345');
    mkdirSync(join(out, 'a', 'b'), { recursive: true });
    writeFileSync(join(out, 'a', 'b', 'c.bin'), Buffer.alloc(10));
    symlinkSync(secret, join(out, 'link'));

    expect(await measureOutput(out)).toEqual({ bytes: 15, entries: 5 });
  });

  test('measureOutput stops counting once the entry cap is passed', async () => {
    for (let i = 0; i < 50; i++) writeFileSync(join(out, `f${i}`), '');

    expect(await measureOutput(out, 10)).toEqual({ bytes: 0, entries: 11 });
  });

  test('a missing folder holds nothing', async () => {
    expect(await measureOutput(join(dir, 'absent'))).toEqual({ bytes: 0, entries: 0 });
  });

  test('removeNonRegularEntries removes links, fifos and hard links at any depth, and keeps plain files and folders', async () => {
    writeFileSync(join(out, 'contribution.bin'), Buffer.alloc(8));
    symlinkSync(secret, join(out, 'result.json'));
    mkdirSync(join(out, 'nested'));
    symlinkSync('/etc/passwd', join(out, 'nested', 'passwd'));
    linkSync(secret, join(out, 'hard.json'));
    execFileSync('mkfifo', [join(out, 'pipe')]);

    const removed = await removeNonRegularEntries(out);

    expect(removed.sort()).toEqual(['hard.json', 'nested/passwd', 'pipe', 'result.json']);
    expect(readdirSync(out).sort()).toEqual(['contribution.bin', 'nested']);
    expect(readdirSync(join(out, 'nested'))).toEqual([]);
    expect(existsSync(secret)).toBe(true);
  });

  test('readOutputFile reads a plain file and refuses a link (ELOOP), a hard link, a fifo (without waiting) and a file over its cap', () => {
    writeFileSync(join(out, 'result.json'), '{"ok":true}');
    symlinkSync(secret, join(out, 'linked.json'));
    linkSync(secret, join(out, 'hard.json'));
    execFileSync('mkfifo', [join(out, 'pipe')]);
    const code = (fn: () => unknown): string => {
      try {
        fn();
        return 'READ';
      } catch (err) {
        return (err as NodeJS.ErrnoException).code ?? String(err);
      }
    };

    expect(readOutputFile(join(out, 'result.json'), 1024).toString()).toBe('{"ok":true}');
    expect(code(() => readOutputFile(join(out, 'linked.json'), 1024))).toBe('ELOOP');
    expect(code(() => readOutputFile(join(out, 'hard.json'), 1024))).toBe('EMLINK');
    expect(code(() => readOutputFile(join(out, 'pipe'), 1024))).toBe('ENOTREG');
    expect(code(() => readOutputFile(join(out, 'result.json'), 4))).toBe('EFBIG');
  });
});
