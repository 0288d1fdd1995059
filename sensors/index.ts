/** The sensor runtime: dependencies, filters, correlation and trigger execution. */
export { CorrelationEntry, type EntryState, type FiringRecord, type HeldEvent } from './correlation.ts';
export {
  type CompiledDependency,
  compileDependency,
  type DependencyVerdict,
  type FilterCheck,
  type FilterKind,
} from './dependency.ts';
export { compileDataFilters, type FilterVerdict } from './filters/data.ts';
export { publishRedrive, REDRIVE_TYPE } from './redrive.ts';
export { type SensorHandle, type SensorRuntimeOptions, startSensor } from './runtime.ts';
export { closeDefaultScriptRunner } from './scripts/index.ts';
