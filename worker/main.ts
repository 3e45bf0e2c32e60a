// `npm run worker`: the long-running worker process. Settings come from the environment (see README).
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { cloudConfigFromEnv } from '../activities/cloudConfig';
import { defaultBaseCredentials } from '../activities/roleChainCredentials';
import { workerSettingsFromEnv } from './config';
import { createWorker } from './createWorker';
import { dataConverterFor, encryptionCodecFromEnv } from './encryptionCodec';

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv();
  const cloud = cloudConfigFromEnv();
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO'),
    ...(settings.metricsBind
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: settings.metricsBind } } } }
      : {}),
  });
  // FLEET_RUN_CODEC_KEY: payloads are encrypted (clients and the codec server need the same key).
  const codec = encryptionCodecFromEnv();
  const dataConverter = dataConverterFor(codec);
  // WORKFLOW_BUNDLE_PATH: a bundle prebuilt with bundleWorkflowCode (no bundling at each start: seconds saved);
  // with the codec on, build it with failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH.
  const bundlePath = process.env.WORKFLOW_BUNDLE_PATH || undefined;
  if (codec && bundlePath && !readFileSync(bundlePath, 'utf8').includes('encryptedFailureConverter')) {
    console.warn(
      `worker: ${bundlePath} was bundled without ENCRYPTED_FAILURE_CONVERTER_PATH: workflow failure messages stay plain text`,
    );
  }
  const connection = await NativeConnection.connect({ address: settings.address });
  const worker = await createWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    cloud,
    baseCredentials: defaultBaseCredentials(),
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
    ...(dataConverter ? { dataConverter } : {}),
  });
  console.log(
    `worker: task queue "${settings.taskQueue}" on ${settings.address} (namespace ${settings.namespace}); cloud endpoint ${cloud.endpoint ? `${cloud.protocol}://${cloud.endpoint}` : 'Alibaba Cloud regional endpoints'}; payloads ${codec ? `encrypted (key ${codec.keyId})` : 'not encrypted'}${bundlePath ? `; workflow bundle ${bundlePath}` : ''}`,
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
