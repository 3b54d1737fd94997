/** Public surface of the vscode-free Azure access layer. */
export * from './armClient';
export * from './azureAccess';
export * from './clouds';
export * from './credentials';
export * from './discovery';
export * from './errors';
export * from './keyVault';
export * from './metadataCache';
export * from './metadataLoader';
export * from './options';
export * from './policies';
export * from './policyListing';
export * from './policyScopes';
export * from './resourceId';
export { describeUrlForLog } from './pipeline';
export { DEFAULT_PARALLEL_REQUESTS, listAll, RequestGate, sdkPagedSource, type GateStats, type ListPage, type PagedSource, type PageProgress } from './pager';
