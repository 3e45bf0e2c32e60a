// `npm run cli -- <command>`: run, start, status, pause, resume, set-rate-control, cancel, result.
// Exit codes: 0 Success, 1 unexpected error, 2 bad input or usage, 3 PartialFailed, 4 MaxErrorsExceeded
// or another failure of the run, 5 Cancelled.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { INVALID_INPUT, MAX_ERRORS_EXCEEDED } from '../contract/errors';
import { BULKY_WORKFLOW_TYPE, type MultiAccountExecuteInput } from '../contract/input';
import { InputValidationError, validateMultiAccountInput } from '../contract/validate';
import * as api from './api';
import { connectFromEnv } from './connection';
import { decodeErrorOf } from './errors';
import { watchProgress } from './progressWatcher';
import { renderChildOutcome, renderEnded, renderOutcome, renderProgress } from './render';
import { describeQueryError, fetchChildReport, fetchLocationReports } from './report';

export const EXIT = { success: 0, error: 1, badInput: 2, partialFailed: 3, failed: 4, cancelled: 5 } as const;

export function exitCodeOf(outcome: api.RunOutcome): number {
  if (outcome.kind === 'completed') return outcome.result.status === 'Success' ? EXIT.success : EXIT.partialFailed;
  if (outcome.type === INVALID_INPUT) return EXIT.badInput;
  if (outcome.type === 'CancelledFailure' || outcome.type === 'Cancelled') return EXIT.cancelled;
  if (outcome.type === MAX_ERRORS_EXCEEDED) return EXIT.failed;
  return EXIT.failed;
}

class UsageError extends Error {}

function readInput(path: string): MultiAccountExecuteInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --input ${path}: ${(err as Error).message}`);
  }
  let input: MultiAccountExecuteInput;
  try {
    input = JSON.parse(text) as MultiAccountExecuteInput;
  } catch (err) {
    throw new UsageError(`--input ${path} is not JSON: ${(err as Error).message}`);
  }
  // Validate here too, so a typo is reported before anything is started; the size first: Temporal would
  // refuse a too large input however valid it is.
  try {
    api.checkInputSize(input);
    validateMultiAccountInput(input);
  } catch (err) {
    if (err instanceof InputValidationError || err instanceof api.InputTooLargeError) {
      throw new UsageError(`${path}: ${err.message}`);
    }
    throw err;
  }
  return input;
}

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const conn = await connectFromEnv();
  try {
    return await fn(conn.client, conn.taskQueue);
  } finally {
    await conn.close();
  }
}

function countOrPercent(value: string): string | number {
  if (/^\d+$/.test(value)) return Number(value);
  if (/^\d+(\.\d+)?%$/.test(value)) return value;
  throw new InvalidArgumentError('a count (10) or a percentage ("10%")');
}

interface RunFlags {
  input: string;
  json?: boolean;
  workflowId?: string;
  taskQueue?: string;
  all?: boolean;
  progress: boolean;
}

async function runCommand(flags: RunFlags, wait: boolean): Promise<number> {
  const input = readInput(flags.input);
  return withClient(async (client, envQueue) => {
    const { handle, attached } = await api
      .startRun(client, input, { taskQueue: flags.taskQueue ?? envQueue, workflowId: flags.workflowId })
      .catch((err: unknown) => {
        if (err instanceof api.RunConflictError || err instanceof api.InputTooLargeError) {
          throw new UsageError(err.message);
        }
        throw err;
      });
    const how = attached ? 'already running (same input): attached to' : 'started';
    if (!wait) {
      console.log(
        flags.json ? JSON.stringify({ workflowId: handle.workflowId, attached }) : `${how} ${handle.workflowId}`,
      );
      return EXIT.success;
    }
    if (!flags.json) {
      process.stderr.write(
        `${attached ? `${how} ${handle.workflowId}` : `running ${handle.workflowId}`} (task queue ${flags.taskQueue ?? envQueue})\n`,
      );
    }
    const outcome = api.waitForOutcome(handle);
    const taskQueue = flags.taskQueue ?? envQueue;
    if (flags.progress) await watchProgress(client, handle.workflowId, outcome, { taskQueue });
    const done = await outcome;
    const reports = done.result ? await fetchLocationReports(client, done.result) : [];
    if (flags.json) {
      console.log(JSON.stringify({ workflowId: handle.workflowId, ...done, locations: reports }, null, 2));
    } else {
      console.log(renderOutcome(handle.workflowId, done, reports, flags.all ?? false));
    }
    return exitCodeOf(done);
  });
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('fleet-run')
    .description('Run commands on Alibaba Cloud ECS fleets across accounts and regions, durably, on Temporal.')
    .showHelpAfterError()
    .exitOverride();

  const runLike = (cmd: Command) =>
    cmd
      .requiredOption('--input <file>', 'the seed-shaped JSON input (examples/seed-input.json)')
      .option('--workflow-id <id>', 'business id of the run (default: derived from the input)')
      .option('--task-queue <queue>', 'task queue of the worker (default: TEMPORAL_TASK_QUEUE or fleet-run)')
      .option('--json', 'print the result as JSON');

  runLike(program.command('run').description('start a run, show progress, print per-instance results'))
    .option('--all', 'print every instance (default: the first 50 per location)')
    .option('--no-progress', 'do not show progress')
    .action(async (flags: RunFlags) => setExit(await runCommand(flags, true)));

  runLike(program.command('start').description('start a run and print its workflow id')).action(
    async (flags: RunFlags) => setExit(await runCommand({ ...flags, progress: false }, false)),
  );

  program
    .command('status <workflowId>')
    .description('show the progress of a run (counts, locations, rate control)')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, flags: { json?: boolean }) =>
      setExit(await withClient((client) => printStatus(client, workflowId, flags))),
    );

  for (const [name, fn, verb] of [
    ['pause', api.pause, 'paused: no new items start; running ones go on'],
    ['resume', api.resume, 'resumed'],
    ['cancel', api.cancel, 'cancel requested: running invocations are stopped'],
  ] as const) {
    program
      .command(`${name} <workflowId>`)
      .description(`${name} a run (the parent, or one location's child workflow id)`)
      .action(async (workflowId: string) => {
        await withClient((client) => fn(client, workflowId)).catch((err: unknown) => {
          if (err instanceof api.RunEndedError) throw new UsageError(err.message);
          throw err;
        });
        console.log(`${workflowId}: ${verb}`);
      });
  }

  program
    .command('set-rate-control <workflowId>')
    .description('change Concurrency and/or MaxErrors of a running run')
    .option('--concurrency <n>', 'a count or a percentage', countOrPercent)
    .option('--max-errors <n>', 'a count or a percentage', countOrPercent)
    .action(async (workflowId: string, flags: { concurrency?: string | number; maxErrors?: string | number }) => {
      if (flags.concurrency === undefined && flags.maxErrors === undefined) {
        throw new UsageError('give --concurrency and/or --max-errors');
      }
      const view = await withClient((client) =>
        api.setRateControl(client, workflowId, { Concurrency: flags.concurrency, MaxErrors: flags.maxErrors }),
      ).catch((err: unknown) => {
        // The update's validator says why; the run is untouched.
        if (err instanceof WorkflowUpdateFailedError) throw new UsageError(err.cause?.message ?? err.message);
        if (err instanceof api.RunEndedError) throw new UsageError(err.message);
        throw err;
      });
      console.log(
        `${workflowId}: concurrency ${view.concurrency}, max errors ${view.maxErrors} (errors so far ${view.errors})`,
      );
    });

  program
    .command('result <workflowId>')
    .description('wait for a run and print its per-instance results')
    .option('--json', 'print JSON')
    .option('--all', 'print every instance')
    .action(async (workflowId: string, flags: { json?: boolean; all?: boolean }) => {
      const code = await withClient(async (client) => {
        if ((await api.workflowTypeOf(client, workflowId)) === BULKY_WORKFLOW_TYPE) {
          return printChildResult(client, workflowId, flags);
        }
        const done = await api.waitForOutcome(client.workflow.getHandle(workflowId));
        const reports = done.result ? await fetchLocationReports(client, done.result) : [];
        if (flags.json) console.log(JSON.stringify({ workflowId, ...done, locations: reports }, null, 2));
        else console.log(renderOutcome(workflowId, done, reports, flags.all ?? false));
        return exitCodeOf(done);
      });
      setExit(code);
    });

  return program;
}

/**
 * `status`: live progress of a running execution; for one that has ended, how it ended (its progress
 * query would show the last phase forever) and the exit code `result` gives for that outcome.
 */
async function printStatus(client: Client, workflowId: string, flags: { json?: boolean }): Promise<number> {
  const executionStatus = await api.executionStatus(client, workflowId);
  if (executionStatus !== 'RUNNING') {
    const outcome = await api.waitForOutcome(client.workflow.getHandle(workflowId));
    if (flags.json) console.log(JSON.stringify({ workflowId, ended: executionStatus, ...outcome }, null, 2));
    else console.log(renderEnded(workflowId, executionStatus, outcome));
    return exitCodeOf(outcome);
  }
  const progress = await api.getAnyProgress(client, workflowId).catch((err: unknown) => {
    throw new Error(`cannot read the progress of ${workflowId}: ${describeQueryError(err)}`);
  });
  if (flags.json) console.log(JSON.stringify(progress, null, 2));
  else console.log(renderProgress(workflowId, progress));
  return EXIT.success;
}

/** `result` on one location's child workflow id: that location's block of the report. */
async function printChildResult(client: Client, workflowId: string, flags: { json?: boolean; all?: boolean }) {
  const report = await fetchChildReport(client, workflowId);
  if (flags.json) console.log(JSON.stringify({ workflowId, ...report }, null, 2));
  else console.log(renderChildOutcome(workflowId, report, flags.all ?? false));
  const status = report.location.status;
  if (status === 'Success') return EXIT.success;
  if (status === 'PartialFailed') return EXIT.partialFailed;
  return status === 'Cancelled' ? EXIT.cancelled : EXIT.failed;
}

async function main(): Promise<void> {
  let code: number = EXIT.success;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code?.startsWith('commander.')) {
      code = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : EXIT.badInput;
    } else if (err instanceof WorkflowNotFoundError) {
      console.error(`error: no such run: ${err.message}`);
      code = EXIT.badInput;
    } else if (decodeErrorOf(err)) {
      // Not a failure of the run: this process lacks (or has another) codec key.
      console.error(`error: ${decodeErrorOf(err)!.message}`);
      code = EXIT.error;
    } else if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      code = EXIT.badInput;
    } else {
      console.error(`error: ${e.message ?? String(err)}`);
      code = EXIT.error;
    }
  }
  process.exitCode = code;
}

if (require.main === module) void main();
