// Simulate mode at fleet scale: 10,000 instances in one process, RunCommand in calls of 100, all finish.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ecs, * as $Ecs from '@alicloud/ecs20140526';
import type { Scenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import { ecsClient, waitFor, type Creds } from '../../emulator/testkit';

const OPS: Creds = { accessKeyId: 'LTAI-sim', accessKeySecret: 'sim-secret' };
const REGION = 'cn-hangzhou';
const FLEET = 10_000;

const scenario: Scenario = {
  execution: 'simulate',
  seed: 42,
  accounts: [
    {
      id: '700001',
      users: [{ name: 'ops', ...OPS, policies: ['AliyunECSFullAccess'] }],
      regions: {
        [REGION]: {
          generate: [
            { count: FLEET - 100, idPrefix: 'i-sim-', behavior: { durationMs: [300, 900], output: 'ok\n' } },
            { count: 100, idPrefix: 'i-bad-', behavior: { durationMs: 200, exitCode: 2, outputBytes: 30_000 } },
          ],
        },
      },
    },
  ],
};

let emu: EmulatorHandle;
let ecs: Ecs;
before(async () => {
  emu = await startEmulator({ scenario, port: 0 });
  ecs = ecsClient(emu, OPS);
});
after(async () => {
  await emu.close();
});

async function allInstanceIds(): Promise<string[]> {
  const ids: string[] = [];
  let token = '';
  do {
    const r = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, maxResults: 100, ...(token ? { nextToken: token } : {}) }),
    );
    ids.push(...r.body!.instances!.instance!.map((i) => i.instanceId!));
    token = r.body!.nextToken ?? '';
  } while (token);
  return ids;
}

void describe('emulator simulate mode at scale', () => {
  void it(`runs ${FLEET} instances (RunCommand ×100 of 100), every instance exactly once`, async (t) => {
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const ids = await allInstanceIds();
    assert.equal(ids.length, FLEET);

    const invokeIds: string[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const r = await ecs.runCommand(
        new $Ecs.RunCommandRequest({
          regionId: REGION,
          type: 'RunShellScript',
          commandContent: 'systemctl restart app',
          instanceId: ids.slice(i, i + 100),
          clientToken: `scale-${i}`,
        }),
      );
      invokeIds.push(r.body!.invokeId!);
    }
    const dispatched = Date.now();

    // Poll as a fleet controller would: page over all invocations, 50 per call.
    const finalStatus = new Map<string, string>();
    let polls = 0;
    await waitFor(
      async () => {
        let token = '';
        const running: string[] = [];
        do {
          const r = await ecs.describeInvocations(
            new $Ecs.DescribeInvocationsRequest({
              regionId: REGION,
              maxResults: 50,
              ...(token ? { nextToken: token } : {}),
            }),
          );
          polls++;
          for (const inv of r.body!.invocations!.invocation!) {
            if (['Pending', 'Running'].includes(inv.invocationStatus!)) running.push(inv.invokeId!);
            else finalStatus.set(inv.invokeId!, inv.invocationStatus!);
          }
          token = r.body!.nextToken ?? '';
        } while (token);
        return running.length === 0 ? true : undefined;
      },
      20_000,
      200,
    );
    const settled = Date.now();
    const cpu = process.cpuUsage(cpu0);
    const rss1 = process.memoryUsage().rss;

    assert.equal(finalStatus.size, 100);
    assert.equal([...finalStatus.values()].filter((s) => s === 'Success').length, 99);
    assert.equal(finalStatus.get(invokeIds[99]!), 'Failed');

    const { executions } = emu.audit();
    assert.equal(executions.length, FLEET);
    assert.equal(new Set(executions.map((e) => e.instanceId)).size, FLEET);
    assert.equal(executions.filter((e) => e.status === 'Success').length, FLEET - 100);
    assert.equal(executions.filter((e) => e.status === 'Failed' && e.exitCode === 2).length, 100);

    // Max concurrency from the audited [start, finish] intervals.
    const edges = executions.flatMap((e) => [
      [e.startTime, 1],
      [e.finishTime!, -1],
    ]);
    edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let live = 0;
    let peak = 0;
    for (const [, d] of edges) peak = Math.max(peak, (live += d!));
    assert.ok(peak > 1000, `peak concurrency ${peak}`);

    // Output of a failed instance: 30,000 filler bytes → 24 KB kept, the rest Dropped.
    const bad = await ecs.describeInvocationResults(
      new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId: invokeIds[99]!, maxResults: 1 }),
    );
    const res = bad.body!.invocation!.invocationResults!.invocationResult![0]!;
    assert.equal(res.errorCode, 'ExitCodeNonzero');
    assert.equal(Buffer.from(res.output!, 'base64').length, 24576);
    assert.equal(res.dropped, 30_000 - 24576);
    assert.equal(bad.body!.invocation!.totalCount, 100);

    const rssGrowthMb = (rss1 - rss0) / 1024 / 1024;
    t.diagnostic(
      `fleet=${FLEET} dispatch=${dispatched - t0}ms settle=${settled - dispatched}ms polls=${polls} peakConcurrency=${peak} ` +
        `cpu user=${Math.round(cpu.user / 1000)}ms sys=${Math.round(cpu.system / 1000)}ms ` +
        `rss before=${Math.round(rss0 / 1048576)}MB after=${Math.round(rss1 / 1048576)}MB growth=${rssGrowthMb.toFixed(1)}MB`,
    );
    assert.ok(rssGrowthMb < 300, `RSS grew ${rssGrowthMb} MB`);
  });
});
