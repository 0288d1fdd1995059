/** The sensor runtime: dependencies, filters, correlation and trigger execution. */
export { CorrelationState, type HeldEvent } from './correlation.ts';
export { type CompiledDependency, compileDependency } from './dependency.ts';
export { compileDataFilters, type FilterVerdict } from './filters/data.ts';
export { type SensorHandle, type SensorRuntimeOptions, startSensor } from './runtime.ts';
