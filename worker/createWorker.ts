// Builds a Worker for the project's workflows and activities; used by worker/main.ts, the demo and tests.
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { CloudConfig } from '../activities/cloudConfig';
import { RoleChainCredentials, type BaseCredentials } from '../activities/roleChainCredentials';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  cloud: CloudConfig;
  baseCredentials: BaseCredentials;
  /** A prebuilt bundle (faster to start many workers); default: bundle workflows/ now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** E.g. payload encryption (worker/encryptionCodec.ts dataConverterFor); default: plain JSON payloads. */
  dataConverter?: DataConverter;
  /** Extra options, e.g. smaller concurrency limits in tests. */
  options?: Partial<WorkerOptions>;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  const credentials = new RoleChainCredentials(opts.baseCredentials, opts.cloud);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ cloud: opts.cloud, credentials }),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    // In-flight activities get time to finish (RunCommand is idempotent anyway) before a forced stop.
    shutdownGraceTime: '20s',
    ...opts.options,
  });
}
