/**
 * What the agent lets leave after a trainer run: the output a job declares
 * and the check of a trainer's actual output against it.
 */
export { checkOutput } from './check-output';
export type { DeclaredOutput, OutputCandidate, OutputCheck, OutputPolicy, OutputViolationCode } from './check-output';
export { countParameters, declaredMetrics, declaredTensors } from './declared-output';
export type { TensorDeclaration } from '../trainer/trainer-contract';
