// ECS StopInvocation: instances not yet started never run; running ones are terminated.
import * as $Ecs from '@alicloud/ecs20140526';
import { ecsClient } from './cloudClients';
import { callCloud, errorCode } from './cloudErrors';
import { activitySleep, heartbeat, type ActivityDeps } from './deps';

/**
 * How long InvalidInvokeId.NotFound is taken for "not visible yet". The invoke id came from RunCommand, so
 * the invocation exists; right after RunCommand the Describe/Stop APIs may not see it for a while, and
 * giving up at once would leave the instances running after a cancel (or stopOnMaxErrors).
 */
export const NOT_VISIBLE_GRACE_MS = 30_000;

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
  const deadline = Date.now() + NOT_VISIBLE_GRACE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await callCloud(
        `ECS StopInvocation ${input.invokeId}`,
        async () => {
          const identity = await deps.credentials.get(input.roleChain);
          return ecsClient(identity.key, deps.cloud, input.regionId).stopInvocation(request);
        },
        { onRetry: () => heartbeat(), onExpiredToken: () => deps.credentials.invalidate(input.roleChain) },
      );
      return;
    } catch (err) {
      const code = (err as { details?: [{ code?: string }] }).details?.[0]?.code ?? errorCode(err);
      if (code !== 'InvalidInvokeId.NotFound') throw err;
      // Not visible yet: try again. Still unknown after the grace period: nothing left to stop.
      if (Date.now() >= deadline) return;
      heartbeat({ notVisibleYet: attempt });
      await activitySleep(Math.min(2_000, 200 * 2 ** (attempt - 1)));
    }
  }
}
