// `npm run worker`: the long-running worker process. Settings come from the environment (see README).
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { cloudConfigFromEnv } from '../activities/cloudConfig';
import { defaultBaseCredentials } from '../activities/roleChainCredentials';
import { workerSettingsFromEnv } from './config';
import { createWorker } from './createWorker';

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv();
  const cloud = cloudConfigFromEnv();
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO'),
    ...(settings.metricsBind
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: settings.metricsBind } } } }
      : {}),
  });
  const connection = await NativeConnection.connect({ address: settings.address });
  const worker = await createWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    cloud,
    baseCredentials: defaultBaseCredentials(),
  });
  console.log(
    `worker: task queue "${settings.taskQueue}" on ${settings.address} (namespace ${settings.namespace}); cloud endpoint ${cloud.endpoint ? `${cloud.protocol}://${cloud.endpoint}` : 'Alibaba Cloud regional endpoints'}`,
  );
  try {
    await worker.run(); // resolves after SIGINT/SIGTERM drained the worker
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
