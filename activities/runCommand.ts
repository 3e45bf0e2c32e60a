// ECS RunCommand for up to 100 instances, made idempotent with a ClientToken derived from the dispatch.
import { createHash } from 'node:crypto';
import * as $Ecs from '@alicloud/ecs20140526';
import type { CommandType } from '../contract/input';
import { ecsClient } from './cloudClients';
import { callCloud } from './cloudErrors';
import { heartbeat, type ActivityDeps } from './deps';

export interface CommandSpec {
  commandType: CommandType;
  commandContent: string;
  workingDir: string;
  username: string;
  windowsPasswordName: string;
  timeout: number;
  enableParameter: boolean;
  parameters: Record<string, string | number | boolean>;
}

/** Identifies one dispatch of one workflow; the same dispatch always yields the same ClientToken. */
export interface DispatchKey {
  workflowId: string;
  /** firstExecutionRunId: stable across retries and continue-as-new, new when the id is reused later. */
  firstRunId: string;
  sequence: number;
}

export interface RunCommandInput {
  roleChain: string;
  regionId: string;
  instanceIds: string[];
  command: CommandSpec;
  dispatch: DispatchKey;
}

export interface RunCommandResult {
  invokeId: string;
  /** When the cloud accepted the call (this worker's clock, ms): the poll schedule counts ages from it. */
  sentAtMs: number;
  commandId: string;
}

/** ClientToken (≤ 64 ASCII characters): a retry or a replayed dispatch gets the same invocation back. */
export function clientToken(key: DispatchKey): string {
  const digest = createHash('sha256').update(`${key.workflowId}\n${key.firstRunId}\n${key.sequence}`).digest('hex');
  return `fr-${digest.slice(0, 48)}`;
}

export async function runCommand(deps: ActivityDeps, input: RunCommandInput): Promise<RunCommandResult> {
  const { command } = input;
  const token = clientToken(input.dispatch);
  const request = new $Ecs.RunCommandRequest({
    regionId: input.regionId,
    instanceId: input.instanceIds,
    type: command.commandType,
    // Base64 keeps any script byte-exact on the wire.
    commandContent: Buffer.from(command.commandContent, 'utf8').toString('base64'),
    contentEncoding: 'Base64',
    timeout: command.timeout,
    workingDir: command.workingDir || undefined,
    username: command.username || undefined,
    windowsPasswordName: command.windowsPasswordName || undefined,
    enableParameter: command.enableParameter,
    parameters: command.enableParameter ? command.parameters : undefined,
    name: `fleet-run-${input.dispatch.sequence}`,
    description: input.dispatch.workflowId.slice(0, 500),
    clientToken: token,
  });
  const res = await callCloud(
    `ECS RunCommand ${input.regionId} (${input.instanceIds.length} instances)`,
    async () => {
      const identity = await deps.credentials.get(input.roleChain);
      return ecsClient(identity.key, deps.cloud, input.regionId).runCommand(request);
    },
    {
      onRetry: () => heartbeat({ token }),
      onExpiredToken: () => deps.credentials.invalidate(input.roleChain),
    },
  );
  const invokeId = res.body?.invokeId;
  if (!invokeId) throw new Error(`ECS RunCommand ${input.regionId} returned no InvokeId`);
  return { invokeId, sentAtMs: Date.now(), commandId: res.body?.commandId ?? '' };
}
