// The public surface of src/config: load a run config from YAML/JSON text into a normalized RunConfig.
export { ConfigError, loadConfig } from './load.js';
export type { ConfigIssue, LoadConfigOptions } from './load.js';
export { CONFIG_BOUNDS, STRATEGY_PARAMETER_RANGES, STRATEGY_TYPES, SIZER_TYPES, LIMIT_TYPES } from './schema.js';
export type {
  CsvDataSpec,
  DataSpec,
  GeneratedDataSpec,
  Interval,
  NumberRange,
  RebalanceSchedule,
  RebalanceSpec,
  ReportingSpec,
  RunConfig,
  WorkflowSpec,
} from './schema.js';
