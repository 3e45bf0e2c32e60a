// Every workflow the worker registers, by type name: multiAccountExecute (parent) and bulkyRunCommand (child).
export { multiAccountExecute } from './multiAccountExecute';
export { bulkyRunCommand } from './bulkyRunCommand';
// Any other type asked of this worker (a templateName typo) fails at once, saying so.
export { unknownWorkflowType as default } from './unknownWorkflowType';
export { progressQuery, pauseSignal, resumeSignal, setRateControlUpdate } from './messages';
