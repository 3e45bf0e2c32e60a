// No secrets in history or logs (DESIGN §5), and optional payload encryption.
//
// A run over the seed's accounts plus a role that refuses the hub and a role without RunCommand rights
// (failure paths), with 6-second STS tokens (many are issued) and random 5xx (retry paths), on a worker
// process logging at DEBUG. The full history of every workflow of the run, as the real Temporal CLI prints
// it, and everything the worker printed, are searched (payloads decoded) for every RAM user's
// AccessKeySecret and every STS AccessKeyId, AccessKeySecret and SecurityToken the emulator issued.
//
// With FLEET_RUN_CODEC_KEY set, payloads are AES-GCM encrypted: the history shows neither the command nor
// an instance id, and `temporal workflow show --codec-endpoint` (the codec server) shows them again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import type { MultiAccountExecuteResult } from '../../contract/results';
import { loadScenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle, type Scenario } from '../../emulator/server';
import { dataConverterFor, EncryptionCodec, ENCRYPTED_ENCODING } from '../../worker/encryptionCodec';
import { temporalAddress } from '../support/harness';
import { executionsOn, historyJson, leaked, payloadsIn, searchableText } from '../support/histories';
import {
  killAllProcesses,
  startCodecServerProcess,
  WorkerProcess,
  workflowBundleFile,
  type ScriptProcess,
} from '../support/processes';
import { CHAIN, seedInput } from '../support/worlds';

const DENIED = '777777'; // its role does not trust the hub
const READONLY = '888888'; // its role may describe but not run commands

function world(): Scenario {
  const w = loadScenario('examples/seed-world.json'); // exec mode: `echo hello` really runs
  const hub = w.accounts.find((a) => a.id === '123456')!;
  hub.users!.push({
    name: 'ops',
    accessKeyId: 'LTAI5tSeedOpsKey0000002',
    accessKeySecret: 'OpsSecret0000000000000000000002',
    policies: ['AdministratorAccess'],
  });
  const trusting = w.accounts.find((a) => a.id === '654321')!.roles![0]!;
  w.accounts.push(
    {
      id: DENIED,
      roles: [
        {
          name: 'OOSServiceRole',
          trustPolicy: {
            Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::999999:root'] } }],
            Version: '1',
          },
          policies: ['AliyunECSFullAccess'],
        },
      ],
      regions: { 'cn-qingdao': { instances: [{ id: 'i-denied-1', status: 'Running', osType: 'linux' }] } },
    },
    {
      id: READONLY,
      roles: [{ ...structuredClone(trusting), policies: ['AliyunECSReadOnlyAccess'] }],
      regions: { 'cn-hangzhou': { instances: [{ id: 'i-readonly-1', status: 'Running', osType: 'linux' }] } },
    },
  );
  w.faults = { stsDurationSeconds: 6, errorRate: 0.05 };
  return w;
}

const INSTANCES = ['i-sh-web-1', 'i-sh-web-2', 'i-bj-web-1', 'i-bj-db-1', 'i-readonly-1'];
const input = {
  ...seedInput,
  accountRoleAndRegions: [
    ...seedInput.accountRoleAndRegions,
    { OOSAssumeRole: `OOSServiceRole|${DENIED}/OOSServiceRole`, RegionId: 'cn-qingdao' },
    { OOSAssumeRole: `OOSServiceRole|${READONLY}/OOSServiceRole`, RegionId: 'cn-hangzhou' },
  ],
  // Long enough for several 6-second token lifetimes.
  templateParameters: {
    ...seedInput.templateParameters,
    commandContent: 'echo hello; sleep 4',
    rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 },
    pollIntervalSeconds: 0.5,
  },
  rateControl: { Mode: 'Concurrency', Concurrency: 4, MaxErrors: '100%' },
};

let emulator: EmulatorHandle;
let connection: Connection;
const scenario = world();
const users = scenario.accounts.flatMap((a) => a.users ?? []);
const workerUser = users[0]!;

before(async () => {
  emulator = await startEmulator({ scenario });
  connection = await Connection.connect({ address: temporalAddress() });
});
after(async () => {
  await killAllProcesses();
  await connection?.close();
  await emulator?.close();
});

/** Every secret of the scenario and every STS credential issued so far, labelled for the failure message. */
function secrets(): { label: string; value: string }[] {
  const issued = emulator.issuedCredentials();
  assert.ok(issued.length >= 6, `several STS credentials were issued (${issued.length})`);
  return [
    ...users.map((u) => ({ label: `AccessKeySecret of RAM user ${u.name}`, value: u.accessKeySecret })),
    ...issued.flatMap((c, i) => [
      { label: `STS AccessKeyId #${i}`, value: c.accessKeyId },
      { label: `STS AccessKeySecret #${i}`, value: c.accessKeySecret },
      { label: `STS SecurityToken #${i}`, value: c.securityToken },
    ]),
  ];
}

/** Anything shaped like an STS key or token, issued here or not. */
const STS_SHAPED = [/STS\.[A-Za-z0-9]{10,}/, /CAIS[A-Za-z0-9+/]{20,}/];

interface RunOutput {
  workflowId: string;
  taskQueue: string;
  /** Raw history JSON of every execution on the run's task queue, by workflow id. */
  histories: Map<string, string>;
  workerLog: string;
  outcome: MultiAccountExecuteResult;
}

/** Starts a worker process, runs the input through `client`, dumps every history with the CLI. */
async function runAndDump(client: Client, env: Record<string, string>, encrypted: boolean): Promise<RunOutput> {
  const taskQueue = `secrets-${encrypted ? 'codec' : 'plain'}-${process.pid}-${Date.now()}`;
  let worker: ScriptProcess | undefined;
  try {
    worker = await WorkerProcess.start({
      address: temporalAddress(),
      taskQueue,
      endpoint: emulator.url,
      accessKeyId: workerUser.accessKeyId,
      accessKeySecret: workerUser.accessKeySecret,
      bundlePath: await workflowBundleFile({ encrypted }),
      logLevel: 'DEBUG',
      env,
    });
    const workflowId = `secrets-${encrypted ? 'codec' : 'plain'}-${Date.now()}`;
    const outcome = (await client.workflow.execute('multiAccountExecute', {
      args: [input],
      taskQueue,
      workflowId,
    })) as MultiAccountExecuteResult;
    await worker.stop(10_000);
    const executions = await executionsOn(temporalAddress(), taskQueue);
    assert.deepEqual(
      executions.map((e) => [e.workflowId, e.type]).sort(),
      [
        [workflowId, 'multiAccountExecute'],
        [`${workflowId}/${DENIED}/cn-qingdao`, 'bulkyRunCommand'],
        [`${workflowId}/${READONLY}/cn-hangzhou`, 'bulkyRunCommand'],
        [`${workflowId}/654321/cn-beijing`, 'bulkyRunCommand'],
        [`${workflowId}/654321/cn-shanghai`, 'bulkyRunCommand'],
      ].sort(),
    );
    const histories = new Map<string, string>();
    for (const e of executions) histories.set(`${e.workflowId} ${e.runId}`, await historyJson(temporalAddress(), e));
    return { workflowId, taskQueue, histories, workerLog: worker.output(), outcome };
  } finally {
    await worker?.kill('SIGKILL');
  }
}

function assertOutcome(o: MultiAccountExecuteResult): void {
  assert.equal(o.status, 'PartialFailed');
  assert.deepEqual(
    o.locations.map((l) => [l.accountId, l.regionId, l.status]),
    [
      ['654321', 'cn-shanghai', 'Success'],
      ['654321', 'cn-beijing', 'Success'],
      [DENIED, 'cn-qingdao', 'Failed'],
      [READONLY, 'cn-hangzhou', 'Failed'],
    ],
  );
  assert.match(o.locations[2]!.error!, /cannot assume acs:ram::777777:role\/OOSServiceRole/);
  assert.match(o.locations[3]!.error!, /MaxErrors exceeded in account 888888/);
}

/** Fails naming each secret found in `where`. */
function assertNoSecrets(where: string, text: string): void {
  const searchable = searchableText(text);
  assert.deepEqual(leaked(searchable, secrets()), [], `secrets in ${where}`);
  for (const shape of STS_SHAPED) assert.doesNotMatch(searchable, shape, `an STS-shaped credential in ${where}`);
}

describe('no secrets in history or logs (plain payloads)', () => {
  let run: RunOutput;
  before(async () => {
    run = await runAndDump(new Client({ connection }), {}, false);
  });

  test('the run took the failure and retry paths it was built for', () => {
    assertOutcome(run.outcome);
    const audit = emulator.audit();
    assert.ok(
      audit.calls.some((c) => c.httpStatus >= 500),
      'random 5xx were retried',
    );
    assert.ok(
      audit.calls.some((c) => c.action === 'RunCommand' && c.errorCode?.startsWith('Forbidden')),
      'RunCommand refused',
    );
    // The STS keys were really used: calls made as assumed roles.
    assert.ok(audit.calls.filter((c) => c.caller?.includes(':assumed-role/')).length > 10);
    console.log(
      JSON.stringify({
        stsCredentialsIssued: emulator.issuedCredentials().length,
        histories: run.histories.size,
        historyBytes: [...run.histories.values()].reduce((n, h) => n + h.length, 0),
        workerLogBytes: run.workerLog.length,
        cloudCalls: audit.calls.length,
        failedCalls: audit.calls.filter((c) => c.httpStatus !== 200).length,
      }),
    );
  });

  test('self-check: the search finds secrets hidden in payloads (nested base64), log lines and truncated', () => {
    const [c] = emulator.issuedCredentials();
    const b64 = (x: string) => Buffer.from(x).toString('base64');
    const history = JSON.stringify({
      events: [
        {
          input: {
            payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64(`{"n":"${b64(c!.securityToken)}"}`) }],
          },
        },
      ],
    });
    const label = (l: string) => secrets().find((x) => x.label.startsWith(l) && x.label.endsWith('#0'))!.label;
    assert.deepEqual(leaked(searchableText(history), secrets()), [label('STS SecurityToken')]);
    const log = `2026 [WARN] retrying {\n  auth: key=${b64(workerUser.accessKeySecret)}\n  id: ${c!.accessKeyId.slice(0, 18)}…`;
    assert.deepEqual(leaked(searchableText(log), secrets()).sort(), [
      'AccessKeySecret of RAM user worker',
      label('STS AccessKeyId'),
    ]);
  });

  test('the search sees inside payloads: the input, instance ids and outputs are found', () => {
    const all = [...run.histories.values()].map(searchableText).join('\n');
    for (const plain of ['echo hello; sleep 4', 'hello\n', CHAIN, ...INSTANCES]) {
      assert.ok(all.includes(plain), `history shows ${JSON.stringify(plain)}`);
    }
  });

  test('no user AccessKeySecret and no STS AccessKeyId, AccessKeySecret or SecurityToken in any history', () => {
    assert.equal(run.histories.size, 5);
    for (const [id, text] of run.histories) assertNoSecrets(`the history of ${id}`, text);
  });

  test('none in the worker log (DEBUG)', () => {
    assert.match(run.workerLog, /worker: task queue/);
    assert.match(run.workerLog, /\[DEBUG\]/);
    assertNoSecrets('the worker log', run.workerLog);
  });
});

describe('payload encryption (FLEET_RUN_CODEC_KEY) and the codec server', () => {
  const key = randomBytes(32).toString('base64');
  const codec = new EncryptionCodec(Buffer.from(key, 'base64'));
  const authToken = randomBytes(16).toString('hex');
  let run: RunOutput;
  let codecServer: { url: string; process: ScriptProcess };

  before(async () => {
    codecServer = await startCodecServerProcess({
      FLEET_RUN_CODEC_KEY: key,
      FLEET_RUN_CODEC_AUTH_TOKEN: authToken,
      FLEET_RUN_CODEC_CORS_ORIGINS: 'http://localhost:8233',
    });
    run = await runAndDump(
      new Client({ connection, dataConverter: dataConverterFor(codec) }),
      { FLEET_RUN_CODEC_KEY: key },
      true,
    );
  });
  after(async () => codecServer?.process.stop(5_000));

  const decodeWithCli = (e: string) => {
    const [workflowId, runId] = e.split(' ');
    return historyJson(temporalAddress(), { workflowId: workflowId!, runId: runId! }, [
      '--codec-endpoint',
      codecServer.url,
      '--codec-auth',
      `Bearer ${authToken}`,
    ]);
  };

  test('the client and worker share the key: the run and its failures read back as usual', () => {
    assertOutcome(run.outcome);
    assert.match(run.workerLog, new RegExp(`payloads encrypted \\(key ${codec.keyId}\\)`));
  });

  test('every payload in history is encrypted: no command, instance id, output or role chain in plain text', () => {
    for (const [id, text] of run.histories) {
      const payloads = payloadsIn(text);
      assert.ok(payloads.length > 0, id);
      for (const p of payloads) {
        assert.equal(Buffer.from(p.metadata.encoding!, 'base64').toString(), ENCRYPTED_ENCODING, `${id}: ${p.data}`);
      }
      const searchable = searchableText(text);
      for (const plain of ['echo hello', 'hello\n', CHAIN, ...INSTANCES]) {
        assert.ok(!searchable.includes(plain), `${id} shows ${JSON.stringify(plain)}`);
      }
      assertNoSecrets(`the history of ${id}`, text);
    }
    assertNoSecrets('the worker log', run.workerLog);
  });

  test('failure messages are encrypted too (only "Encoded failure" is plain)', () => {
    const parent = [...run.histories].find(([id]) => id.startsWith(`${run.workflowId} `))![1];
    assert.match(parent, /Encoded failure/);
    assert.doesNotMatch(searchableText(parent), /MaxErrors exceeded|cannot assume/);
  });

  test('temporal workflow show --codec-endpoint decodes every history through the codec server', async () => {
    const decoded = await Promise.all([...run.histories.keys()].map(decodeWithCli));
    const all = decoded.map(searchableText).join('\n');
    for (const plain of [
      'echo hello; sleep 4',
      'hello\n',
      CHAIN,
      ...INSTANCES,
      'MaxErrors exceeded in account 888888',
    ]) {
      assert.ok(all.includes(plain), `decoded history shows ${JSON.stringify(plain)}`);
    }
    for (const text of decoded) {
      for (const p of payloadsIn(text))
        assert.notEqual(Buffer.from(p.metadata.encoding!, 'base64').toString(), ENCRYPTED_ENCODING);
    }
    for (const text of decoded) assertNoSecrets('a decoded history', text);
    assert.match(codecServer.process.output(), /POST \/decode 200/);
  });

  test('the codec server: /decode and /encode per the protocol, pass-through, auth, CORS', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${codecServer.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${authToken}`, ...headers },
        body: JSON.stringify(body),
      });
    const [first] = [...run.histories.values()];
    const encrypted = payloadsIn(first!)[0]!;
    const plainJson = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"x"').toString('base64'),
    };

    const res = await post('/default/decode', { payloads: [encrypted, plainJson] }, { 'x-namespace': 'default' });
    assert.equal(res.status, 200);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.match(Buffer.from(payloads[0]!.data, 'base64').toString(), /multiAccountExecute|commandContent|echo hello/);
    assert.deepEqual(payloads[1], plainJson, 'a payload it did not encrypt passes through');

    const enc = (await (await post('/encode', { payloads: [plainJson] })).json()) as { payloads: typeof payloads };
    assert.equal(Buffer.from(enc.payloads[0]!.metadata.encoding!, 'base64').toString(), ENCRYPTED_ENCODING);
    const back = (await (await post('/decode', enc)).json()) as { payloads: typeof payloads };
    assert.deepEqual(back.payloads, [plainJson], 'encode then decode is the identity');

    assert.equal((await post('/decode', { payloads: [encrypted] }, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await post('/decode', 'not payloads')).status, 400);
    const preflight = await fetch(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-headers': 'x-namespace,content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const foreign = await fetch(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('a run started by the Temporal CLI through the codec server is encrypted from its first event', async () => {
    let worker: ScriptProcess | undefined;
    const taskQueue = `secrets-cli-${process.pid}-${Date.now()}`;
    const workflowId = `secrets-cli-${Date.now()}`;
    try {
      worker = await WorkerProcess.start({
        address: temporalAddress(),
        taskQueue,
        endpoint: emulator.url,
        accessKeyId: workerUser.accessKeyId,
        accessKeySecret: workerUser.accessKeySecret,
        bundlePath: await workflowBundleFile({ encrypted: true }),
        env: { FLEET_RUN_CODEC_KEY: key },
      });
      const { temporalCli } = await import('../support/histories');
      await temporalCli([
        'workflow',
        'start',
        '--type',
        'multiAccountExecute',
        '--task-queue',
        taskQueue,
        '--workflow-id',
        workflowId,
        '--input-file',
        'examples/seed-input.json',
        '--address',
        temporalAddress(),
        '--codec-endpoint',
        codecServer.url,
        '--codec-auth',
        `Bearer ${authToken}`,
      ]);
      const client = new Client({ connection, dataConverter: dataConverterFor(codec) });
      const result = (await client.workflow.getHandle(workflowId).result()) as MultiAccountExecuteResult;
      assert.equal(result.status, 'Success');
      const history = await historyJson(temporalAddress(), { workflowId });
      const start = JSON.parse(history) as {
        events: { workflowExecutionStartedEventAttributes?: { input: unknown } }[];
      };
      const input = payloadsIn(JSON.stringify(start.events[0]!.workflowExecutionStartedEventAttributes!.input));
      assert.equal(Buffer.from(input[0]!.metadata.encoding!, 'base64').toString(), ENCRYPTED_ENCODING);
      assert.ok(!searchableText(history).includes('echo hello'));
    } catch (err) {
      if (err instanceof WorkflowFailedError) console.error(worker?.output());
      throw err;
    } finally {
      await worker?.kill('SIGKILL');
    }
  });
});
