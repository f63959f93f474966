import type { Command, CommanderError } from 'commander';
import { EXIT_CODES } from '../common/process-lifecycle';

/**
 * Parses a benchmark's flags. Returns the exit code to end with when parsing
 * ended the run (help shown: 0; bad flags, already reported by commander: 2),
 * or null to go on.
 */
export function parseBenchFlags(program: Command, argv: string[]): number | null {
  try {
    program.showHelpAfterError().exitOverride().parse(argv);
    return null;
  } catch (err) {
    return (err as Partial<CommanderError>).exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.config;
  }
}
