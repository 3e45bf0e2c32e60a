// `npm run demo`: the main job on embedded defaults. Starts a Temporal dev server (unless TEMPORAL_ADDRESS
// is set), the emulator with the seed's world and a worker; runs examples/seed-input.json; shows progress
// and per-instance results; exits 0 only if every running instance of each location printed hello.
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import seedJson from '../examples/seed-input.json';
import type { MultiAccountExecuteInput } from '../contract/input';
import { cloudConfigFromEnv } from '../activities/cloudConfig';
import { defaultBaseCredentials } from '../activities/roleChainCredentials';
import { startMultiAccountExecute, waitForOutcome } from '../client/api';
import { watchProgress } from '../client/progressWatcher';
import { renderOutcome } from '../client/render';
import { fetchLocationReports } from '../client/report';
import { loadScenario } from '../emulator/scenario';
import { startEmulator } from '../emulator/server';
import { createWorker } from '../worker/createWorker';
import { startDevServer, type DevServer } from './devServer';

const WORLD = 'examples/seed-world.json';
const seedInput = seedJson as MultiAccountExecuteInput;

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      process.stderr.write('demo: starting a Temporal dev server…\n');
      const server: DevServer = await startDevServer();
      cleanups.unshift(() => server.stop());
      address = server.address;
    }
    const scenario = loadScenario(WORLD);
    const emulator = await startEmulator({ scenario });
    cleanups.unshift(() => emulator.close());
    process.stderr.write(`demo: Temporal at ${address}, emulator (${WORLD}) at ${emulator.url}\n`);

    // The worker signs in as the seed's RAM user through the standard credential chain (env AK/SK).
    const user = scenario.accounts.flatMap((a) => a.users ?? [])[0]!;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = user.accessKeyId;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = user.accessKeySecret;

    const taskQueue = process.env.TEMPORAL_TASK_QUEUE || `fleet-run-demo-${process.pid}`;
    const nativeConnection = await NativeConnection.connect({ address });
    cleanups.unshift(() => nativeConnection.close());
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      taskQueue,
      // The worker's defaults, pointed at the emulator.
      cloud: cloudConfigFromEnv({ ALICLOUD_ENDPOINT: emulator.url, ALICLOUD_ROLE_SESSION_NAME: 'fleet-run-demo' }),
      baseCredentials: defaultBaseCredentials(),
    });
    const connection = await Connection.connect({ address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });

    return await worker.runUntil(async () => {
      const handle = await startMultiAccountExecute(client, seedInput, {
        taskQueue,
        workflowId: `demo-seed-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      });
      process.stderr.write(`demo: started ${handle.workflowId} on task queue ${taskQueue}\n`);
      const outcome = waitForOutcome(handle);
      await watchProgress(client, handle.workflowId, outcome);
      const done = await outcome;
      const reports = done.result ? await fetchLocationReports(client, done.result) : [];
      console.log(renderOutcome(handle.workflowId, done, reports, true));

      // Check: every Running instance of each location, and only those, printed hello.
      const problems: string[] = [];
      for (const { location, child } of reports) {
        const region = scenario.accounts.find((a) => a.id === location.accountId)?.regions?.[location.regionId];
        const expected = (region?.instances ?? [])
          .filter((i) => i.status === 'Running')
          .map((i) => i.id)
          .sort();
        const said = (child?.instances ?? [])
          .filter((i) => i.output.trim() === 'hello')
          .map((i) => i.instanceId)
          .sort();
        if (JSON.stringify(expected) !== JSON.stringify(said)) {
          problems.push(
            `${location.accountId}/${location.regionId}: expected hello from [${expected.join(', ')}], got [${said.join(', ')}]`,
          );
        }
      }
      if (done.kind !== 'completed' || done.result.status !== 'Success') problems.push('the run did not succeed');
      if (reports.length !== seedInput.accountRoleAndRegions.length) problems.push('not every location reported');
      console.log(
        problems.length === 0
          ? '\ndemo: OK, every running instance said hello'
          : `\ndemo: FAILED\n  ${problems.join('\n  ')}`,
      );
      return problems.length === 0 ? 0 : 1;
    });
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
