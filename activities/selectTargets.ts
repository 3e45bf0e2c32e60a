// Target selection (OOS ACS::SelectTargets): which instances of a region the command runs on.
import * as $Ecs from '@alicloud/ecs20140526';
import { ApplicationFailure } from '@temporalio/common';
import { TOO_MANY_TARGETS } from '../contract/errors';
import { MAX_INSTANCES_PER_LOCATION, type Targets } from '../contract/input';
import { ecsClient } from './cloudClients';
import { callCloud } from './cloudErrors';
import { heartbeat, type ActivityDeps } from './deps';

export interface SelectTargetsInput {
  roleChain: string;
  regionId: string;
  targets: Targets;
}

export interface SelectTargetsResult {
  /** The account the chain reached (resolves 'self'). */
  accountId: string;
  /** Instances to run on, sorted by id so that dispatch order is stable. */
  instanceIds: string[];
  /** ResourceIds that the region does not have. */
  missing: string[];
}

const PAGE = 100;

export async function selectTargets(deps: ActivityDeps, input: SelectTargetsInput): Promise<SelectTargetsResult> {
  const identity = await deps.credentials.get(input.roleChain);
  const { targets } = input;

  const describe = async (request: $Ecs.DescribeInstancesRequest): Promise<string[]> => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      request.nextToken = nextToken;
      const res = await callCloud(
        `ECS DescribeInstances ${input.regionId}`,
        async () => {
          const { key } = await deps.credentials.get(input.roleChain);
          return ecsClient(key, deps.cloud, input.regionId).describeInstances(request);
        },
        { onRetry: () => heartbeat(), onExpiredToken: () => deps.credentials.invalidate(input.roleChain) },
      );
      for (const instance of res.body?.instances?.instance ?? []) {
        if (instance.instanceId) ids.push(instance.instanceId);
      }
      nextToken = res.body?.nextToken || undefined;
      heartbeat({ found: ids.length });
      if (ids.length > MAX_INSTANCES_PER_LOCATION) throw tooMany(input, ids.length);
    } while (nextToken);
    return ids;
  };
  const base = { regionId: input.regionId, maxResults: PAGE };

  let instanceIds: string[];
  let missing: string[] = [];
  switch (targets.Type) {
    case 'All':
      instanceIds = await describe(
        new $Ecs.DescribeInstancesRequest({
          ...base,
          status: targets.Parameters?.Status,
          instanceName: targets.Parameters?.InstanceName,
        }),
      );
      break;
    case 'Tags':
      instanceIds = await describe(
        new $Ecs.DescribeInstancesRequest({
          ...base,
          tag: targets.Tags.map((t) => new $Ecs.DescribeInstancesRequestTag({ key: t.Key, value: t.Value })),
        }),
      );
      break;
    case 'ResourceGroup':
      instanceIds = await describe(
        new $Ecs.DescribeInstancesRequest({ ...base, resourceGroupId: targets.ResourceGroupId }),
      );
      break;
    case 'ResourceIds': {
      // Check the ids exist, 100 at a time (DescribeInstances' InstanceIds limit), so one typo does not fail
      // a whole RunCommand call: missing ids are reported per instance instead.
      const found = new Set<string>();
      for (let i = 0; i < targets.ResourceIds.length; i += PAGE) {
        const chunk = targets.ResourceIds.slice(i, i + PAGE);
        for (const id of await describe(
          new $Ecs.DescribeInstancesRequest({ ...base, instanceIds: JSON.stringify(chunk) }),
        )) {
          found.add(id);
        }
      }
      instanceIds = targets.ResourceIds.filter((id) => found.has(id));
      missing = [...new Set(targets.ResourceIds)].filter((id) => !found.has(id)); // once each, in input order
      break;
    }
  }
  return { accountId: identity.accountId, instanceIds: [...new Set(instanceIds)].sort(), missing };
}

function tooMany(input: SelectTargetsInput, found: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: TOO_MANY_TARGETS,
    nonRetryable: true,
    message:
      `targets (${input.targets.Type}) select more than ${MAX_INSTANCES_PER_LOCATION} instances in region ` +
      `${input.regionId} (stopped counting at ${found}); one location runs on at most ${MAX_INSTANCES_PER_LOCATION}: ` +
      'narrow the targets (Tags, ResourceGroup, InstanceName) and run the rest separately',
  });
}
