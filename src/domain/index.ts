// The shared vocabulary of kube-autofix: zod schemas and their types, no I/O.
export * from './target.js';
export * from './category.js';
export * from './evidence.js';
export * from './finding.js';
export * from './change.js';
export * from './diagnosis.js';
export * from './proposal.js';
export * from './result.js';
export * from './errors.js';
export * from './quantity.js';
export * from './parse-target.js';
export * from './confidence-label.js';
export * from './gitops.js';
export * from './attempt.js';
export * from './trigger.js';
export * from './cluster.js';
export * from './identity.js';
