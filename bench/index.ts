/** The secure-aggregation benchmark: its whole public surface. The command is secagg-bench.ts. */
export { BENCH_DEFAULTS, BENCH_MODES, compileBenchOptions, type BenchMode, type BenchOptions, type BenchOptionsInput } from './bench-options';
export { benchJson, formatReport, machineInfo, targetReport, TARGETS, type MachineInfo, type TargetReport } from './bench-report';
export type { FinishProfile, ModeResult, Progress, Verification } from './mode-result';
export { runPlainRound } from './plain-round';
export { runBench } from './secagg-bench';
export { runSecAggRound } from './secagg-round';
