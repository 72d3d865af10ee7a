// The engine layer on its own: load the kernel, run one portfolio, read its records.
export { compileKernel, instantiateKernel, KernelLoadError, KernelMemoryPool } from './wasm.js';
export type { KernelExports, KernelSource } from './wasm.js';
export { defaultKernel } from './default-kernel.js';
export { warmKernel } from './warm.js';
export type { WarmRun } from './warm.js';
export { EngineError, PortfolioKernel, runPortfolio } from './portfolio.js';
export type { EngineOptions, PortfolioRun, PositionState, StepOutputs } from './portfolio.js';
export { decodeAll, decodeRecords, FILL_COLUMNS, FillTable, Fills, fillsOf, RecordLog } from './records.js';
export type { Fill, FillColumns, NamedFill, ReasonName, RecordKind, TraceRecord } from './records.js';
export * from './spec.js';
