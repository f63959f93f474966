/** How every `shoal` command talks to its user: results on stdout, refusals on stderr with exit code 2. */
import { EXIT_CODES } from '../common/process-lifecycle';

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** A request that cannot be done as asked: the message, and the exit code for invalid input. */
export function refuse(message: string): number {
  process.stderr.write(`shoal: ${message}\n`);
  return EXIT_CODES.config;
}
