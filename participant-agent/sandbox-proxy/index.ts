/** The sandbox proxy: one organisation's only way to the host's Docker engine; the whole public surface. */
export { SandboxProxy, type SandboxProxyOptions } from './sandbox-proxy';
export { compileProxyRules, PROXY_RULE_DEFAULTS, type ProxyRules, type ProxyRulesOptions } from './proxy-rules';
export { classifyDockerCall, type DockerCall } from './docker-call';
export { checkContainerCreate } from './container-create-check';
export { hostPathProblem } from './host-path-check';
export { DockerCallRefused } from './errors';
