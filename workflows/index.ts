// Every workflow the worker registers, by type name: multiAccountExecute (parent) and bulkyRunCommand (child).
export { multiAccountExecute } from './multiAccountExecute';
export { bulkyRunCommand } from './bulkyRunCommand';
export { progressQuery, pauseSignal, resumeSignal, setRateControlUpdate } from './messages';
