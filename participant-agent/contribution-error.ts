/** Why one task produced no contribution, with a stable code the coordinator records. */
export class ContributionError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ContributionError';
  }
}
