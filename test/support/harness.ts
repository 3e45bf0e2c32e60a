// Integration harness: a real Temporal dev server (TEMPORAL_ADDRESS, started by scripts/test.sh), the
// emulator in-process on a free port, and a real worker on a unique task queue whose activities use the
// real Alibaba SDK clients against the emulator. A missing server is a failure, never a skip.
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { cloudConfigFromEnv, type CloudConfig } from '../../activities/cloudConfig';
import { startEmulator, type EmulatorHandle, type Scenario } from '../../emulator/server';
import { createWorker, WORKFLOWS_PATH } from '../../worker/createWorker';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

/** Bundles workflows/ once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address)
    throw new Error('TEMPORAL_ADDRESS is not set: run integration tests through `npm test`, which starts a dev server');
  return address;
}

export interface Harness {
  client: Client;
  taskQueue: string;
  emulator: EmulatorHandle;
  worker: Worker;
  cloud: CloudConfig;
  /** Runs `fn`, failing fast if the worker dies meanwhile (the worker polls from start to close). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  scenario: Scenario;
  /** Which scenario user the worker signs in as (default: the first user found). */
  user?: string;
  taskQueue?: string;
  cloud?: Partial<CloudConfig>;
}

let counter = 0;

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const address = temporalAddress();
  const emulator = await startEmulator({ scenario: opts.scenario });
  const user = opts.scenario.accounts
    .flatMap((a) => a.users ?? [])
    .find((u) => opts.user === undefined || u.name === opts.user);
  if (!user) throw new Error('the scenario has no user for the worker');
  const cloud: CloudConfig = {
    ...cloudConfigFromEnv({ ALICLOUD_ENDPOINT: emulator.url, ALICLOUD_ROLE_SESSION_NAME: 'fleet-run-test' }),
    ...opts.cloud,
  };
  const taskQueue = opts.taskQueue ?? `test-${process.pid}-${Date.now()}-${counter++}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection: nativeConnection,
    taskQueue,
    cloud,
    baseCredentials: () => Promise.resolve({ accessKeyId: user.accessKeyId, accessKeySecret: user.accessKeySecret }),
    workflowBundle: await workflowBundle(),
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  // A Worker runs once: it polls for the whole test file and is shut down by close().
  const running = worker.run();
  const died = running.then(() => {
    throw new Error('the worker stopped');
  });
  died.catch(() => undefined);
  return {
    client,
    taskQueue,
    emulator,
    worker,
    cloud,
    run: (fn) => Promise.race([fn(), died]),
    close: async () => {
      // A failed test may leave executions running: end them so the worker can drain and the file exits.
      for await (const wf of client.workflow.list({
        query: `TaskQueue="${taskQueue}" AND ExecutionStatus="Running"`,
      })) {
        await client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .terminate('test file finished')
          .catch(() => undefined);
      }
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await nativeConnection.close();
      await emulator.close();
    },
  };
}

/** A deep copy of a scenario with changes applied, so tests never mutate a shared world. */
export function cloneScenario(scenario: Scenario): Scenario {
  return JSON.parse(JSON.stringify(scenario)) as Scenario;
}
