// Worker settings from the environment (documented in the README).
export const DEFAULT_TASK_QUEUE = 'fleet-run';

export interface WorkerSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Prometheus scrape address such as 127.0.0.1:9464; unset = no metrics endpoint. */
  metricsBind?: string;
}

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    metricsBind: env.TEMPORAL_METRICS_BIND || undefined,
  };
}
