// A Temporal client from the same environment variables as the worker.
import { Client, Connection } from '@temporalio/client';
import { workerSettingsFromEnv } from '../worker/config';
import { dataConverterFor, encryptionCodecFromEnv } from '../worker/encryptionCodec';

export interface ConnectedClient {
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

export async function connectFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ConnectedClient> {
  const settings = workerSettingsFromEnv(env);
  // FLEET_RUN_CODEC_KEY: the same payload encryption as the worker (inputs sent, results read).
  const dataConverter = dataConverterFor(encryptionCodecFromEnv(env));
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.address, connectTimeout: '10s' });
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${settings.address} (set TEMPORAL_ADDRESS, or start a dev server): ${(err as Error).message}`,
    );
  }
  return {
    client: new Client({ connection, namespace: settings.namespace, ...(dataConverter ? { dataConverter } : {}) }),
    taskQueue: settings.taskQueue,
    close: () => connection.close(),
  };
}
