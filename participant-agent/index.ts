export { ParticipantAgent, type AgentDeps } from './agent';
export { loadAgentConfig, compileAgentConfig, type AgentConfig } from './agent-config';
export { screenOffer, type ScreenedOffer, type Screened, type OfferRefusalCode } from './offer';
export { ModerationQueue } from './moderation-queue';
export { ProcessSandbox } from './sandbox/process-sandbox';
export { createSandbox, customImageSandbox, dockerSandboxFor } from './sandbox/create-sandbox';
export { DockerSandbox, CONTAINER_PATHS, type DockerSandboxOptions } from './sandbox/docker-sandbox';
export type { Sandbox, SandboxRun, SandboxSpec, SandboxExit, SandboxLimits } from './sandbox/sandbox';
export { SecureContribution, type SecureContributionDeps, type SecureContributionPhase } from './secure-contribution';
