// ECS StopInvocation: instances not yet started never run; running ones are terminated.
import * as $Ecs from '@alicloud/ecs20140526';
import { ecsClient } from './cloudClients';
import { callCloud, errorCode } from './cloudErrors';
import { heartbeat, type ActivityDeps } from './deps';

export interface StopInvocationInput {
  roleChain: string;
  regionId: string;
  invokeId: string;
  /** Only these instances (≤ 100); all of the invocation when empty. */
  instanceIds: string[];
}

export async function stopInvocation(deps: ActivityDeps, input: StopInvocationInput): Promise<void> {
  const request = new $Ecs.StopInvocationRequest({
    regionId: input.regionId,
    invokeId: input.invokeId,
    instanceId: input.instanceIds.length > 0 ? input.instanceIds : undefined,
  });
  try {
    await callCloud(
      `ECS StopInvocation ${input.invokeId}`,
      async () => {
        const identity = await deps.credentials.get(input.roleChain);
        return ecsClient(identity.key, deps.cloud, input.regionId).stopInvocation(request);
      },
      { onRetry: () => heartbeat(), onExpiredToken: () => deps.credentials.invalidate(input.roleChain) },
    );
  } catch (err) {
    // Nothing left to stop is success for the caller.
    const code = (err as { details?: [{ code?: string }] }).details?.[0]?.code ?? errorCode(err);
    if (code !== 'InvalidInvokeId.NotFound') throw err;
  }
}
