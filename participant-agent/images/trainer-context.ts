/**
 * What goes into the trainer image: the compiled files trainer-main.js
 * reaches through require() and the production packages they need (see
 * image-context.ts, which plans every image that runs Shoal's code).
 */
import { findRepositoryRoot, planImageContext, stageImageContext, TRAINER_CONTEXT, type ImageContextPlan } from './image-context';

export { findRepositoryRoot };

export const TRAINER_ENTRY = TRAINER_CONTEXT.entries[0];
export const TRAINER_DOCKERFILE = TRAINER_CONTEXT.dockerfile;
/** The trainer image's label holding its context hash. */
export const CONTEXT_LABEL = TRAINER_CONTEXT.contextLabel;

export type TrainerContextPlan = ImageContextPlan;

export function planTrainerContext(root: string = findRepositoryRoot()): TrainerContextPlan {
  return planImageContext(TRAINER_CONTEXT, root);
}

/** Writes the build context into `dir`: Dockerfile, package.json, dist/ and node_modules/. */
export function stageTrainerContext(plan: TrainerContextPlan, dir: string): void {
  stageImageContext(plan, dir);
}
