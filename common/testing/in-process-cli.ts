/**
 * Test helper: runs `shoal <group> …` in-process, with the CLI's
 * error-to-exit-code mapping and without exiting, and returns what it
 * printed and the exit code it would have had.
 */
import { Command } from 'commander';
import { errorMessage, hasCode } from '../errors';
import { EXIT_CODES } from '../process-lifecycle';

export interface CliOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

type Register = (program: Command, run: (action: () => Promise<number>) => Promise<void>) => void;

/** `configCodes`: the error codes that exit as invalid input (2), as shoal.ts maps them for this command group. */
export async function runCliInProcess(register: Register, configCodes: string[], args: string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  let exitCode = -1;
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command('shoal').exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  register(program, async (action) => {
    try {
      exitCode = await action();
    } catch (e) {
      process.stderr.write(`shoal: ${errorMessage(e)}\n`);
      exitCode = configCodes.some((code) => hasCode(e, code)) ? EXIT_CODES.config : EXIT_CODES.internal;
    }
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    // commander's own refusals (a missing argument or required option) exit 1.
    exitCode = (e as { exitCode?: number }).exitCode ?? EXIT_CODES.internal;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { exitCode, stdout, stderr };
}
