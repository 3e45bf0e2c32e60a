// The project's contracts in one import: input schemas and validation, role chains, rate control and
// results. Workflow-safe (no Node built-ins), shared by workflows, activities and the client.
export * from './errors';
export * from './input';
export * from './instanceRoster';
export * from './placeholders';
export * from './progress';
export * from './rateControl';
export * from './results';
export * from './roleChain';
export * from './utf8';
export * from './validate';
