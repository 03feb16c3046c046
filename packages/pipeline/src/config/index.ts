// The configuration module's public surface: load experiments.yaml once, then trust the ResolvedStudy.
export { loadStudy, loadStudies, resolveStudyText, resolveAllProfiles, pickProfile, profileName, DEFAULT_PROFILE, type Env } from './load.js';
export { ConfigError, type ConfigIssue } from './errors.js';
export { DATA_STAGE, stageNames, stageDependencies, upstreamStages, isStageName, findStage, stageKind, stageConfig, stageDigest } from './stages.js';
export type * from './types.js';
