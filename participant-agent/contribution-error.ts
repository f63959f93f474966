/**
 * Why one task produced no contribution, with a stable code the coordinator
 * records. `shared` is what may leave the organisation with the code: text a
 * trainer wrote, or the details of an output check, stay in the local log
 * and audit trail, since a trainer could use them to smuggle data out.
 */
export class ContributionError extends Error {
  readonly shared: string;

  constructor(readonly code: string, message: string, shared?: string) {
    super(message);
    this.name = 'ContributionError';
    this.shared = shared ?? message;
  }
}
