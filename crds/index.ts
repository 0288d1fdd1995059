/** The API: schemas, loading, validation and CRD generation for EventSource, Sensor and EventBus. */
export * from './common.ts';
export { convertManifestText } from './convert.ts';
export { type LoadedDocument, listManifestFiles, parseManifestText, readManifests } from './documents.ts';
export * from './eventbus.ts';
export * from './eventsource.ts';
export { formatIssue, formatPath, type ManifestIssue, type ManifestSource } from './issues.ts';
export { API_GROUP, API_VERSION, API_VERSIONS, ARGO_API_VERSION } from './kinds.ts';
export * from './load.ts';
export { readStreamConfig } from './semantics/eventbus.ts';
export * from './sensor.ts';
export { GITLAB_EVENT_NAMES, GITLAB_EVENTS } from './sources/gitlab.ts';
export { type DocumentVerdict, type ImpulseObject, releaseValidators, validateDocument } from './validate.ts';
