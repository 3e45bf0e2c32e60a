// Measures the emulator process alone at fleet scale: starts `emulator/main.ts` as a child process with a
// simulate-mode scenario, runs the command on every instance (RunCommand in calls of 100), polls until
// all finish, and prints the emulator's own /_emulator/stats (RSS, CPU).
//   tsx emulator/bench.ts [--scenario emulator/scenarios/fleet-10k.json] [--region cn-hangzhou]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import * as $Ecs from '@alicloud/ecs20140526';
import { loadScenario } from './scenario';
import { ecsClient, waitFor } from './testkit';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scenario: { type: 'string' }, region: { type: 'string' }, port: { type: 'string' } },
  });
  const file = values.scenario ?? 'emulator/scenarios/fleet-10k.json';
  const regionId = values.region ?? 'cn-hangzhou';
  const port = values.port ?? '18089';
  const scenario = loadScenario(file);
  const account = scenario.accounts.find((a) => a.regions?.[regionId] && a.users?.length);
  const user = account?.users?.[0];
  if (!user) throw new Error(`no account with a user and region ${regionId} in ${file}`);

  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/main.ts', '--scenario', file, '--port', port], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await once(child.stdout, 'data');
    const endpoint = `127.0.0.1:${port}`;
    const stats = async (): Promise<Record<string, number>> =>
      (await (await fetch(`http://${endpoint}/_emulator/stats`)).json()) as Record<string, number>;
    const idle = await stats();
    const ecs = ecsClient({ endpoint }, user);
    const ids: string[] = [];
    let token = '';
    do {
      const r = await ecs.describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId, maxResults: 100, ...(token ? { nextToken: token } : {}) }),
      );
      ids.push(...(r.body?.instances?.instance ?? []).map((i) => i.instanceId ?? ''));
      token = r.body?.nextToken ?? '';
    } while (token);
    const t0 = Date.now();
    for (let i = 0; i < ids.length; i += 100) {
      await ecs.runCommand(
        new $Ecs.RunCommandRequest({
          regionId,
          type: 'RunShellScript',
          commandContent: 'echo ok',
          instanceId: ids.slice(i, i + 100),
        }),
      );
    }
    const busy = await stats();
    await waitFor(async () => ((await stats()).runningExecutions === 0 ? true : undefined), 120_000, 100);
    const done = await stats();
    const mb = (b: number | undefined): string => `${Math.round((b ?? 0) / 1048576)} MB`;
    console.log(
      [
        `instances=${ids.length} wall=${Date.now() - t0} ms`,
        `emulator RSS idle=${mb(idle.rssBytes)} peak-dispatch=${mb(busy.rssBytes)} after=${mb(done.rssBytes)}`,
        `emulator heapUsed after=${mb(done.heapUsedBytes)}`,
        `emulator CPU for the run: user=${(done.cpuUserMs ?? 0) - (idle.cpuUserMs ?? 0)} ms system=${(done.cpuSystemMs ?? 0) - (idle.cpuSystemMs ?? 0)} ms`,
      ].join('\n'),
    );
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
