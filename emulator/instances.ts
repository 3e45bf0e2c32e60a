// ECS DescribeInstances and DescribeCloudAssistantStatus over the caller's account/region.
import type { Handler } from './context';
import { err } from './errors';
import type { Instance } from './model';
import { applyPage, resolvePage } from './paging';
import { INSTANCE_STATUSES, type InstanceStatus } from './scenario';
import { isoMinutes, isoSeconds } from './time';
import { regionOf } from './invocations';

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function parseInstanceIds(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined) return undefined;
  let ids: unknown;
  try {
    ids = JSON.parse(raw);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
    throw err(
      400,
      'InvalidInstanceIds.Malformed',
      'The specified parameter InstanceIds is not a JSON array of strings.',
    );
  }
  if (ids.length > 100) throw err(400, 'InvalidParameter.InstanceIds', 'At most 100 InstanceIds may be specified.');
  return new Set<string>(ids);
}

function render(inst: Instance, regionId: string): Record<string, unknown> {
  return {
    InstanceId: inst.id,
    InstanceName: inst.name,
    HostName: inst.name,
    Status: inst.status,
    RegionId: regionId,
    ZoneId: `${regionId}-a`,
    InstanceType: 'ecs.g7.large',
    OSType: inst.osType,
    OSName:
      inst.osType === 'windows' ? 'Windows Server 2022 Datacenter 64bit' : 'Alibaba Cloud Linux 3.2104 LTS 64 bit',
    ResourceGroupId: inst.resourceGroupId,
    CreationTime: isoMinutes(inst.creationTime),
    Tags: { Tag: Object.entries(inst.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
    VpcAttributes: {
      VpcId: `vpc-emu-${regionId}`,
      VSwitchId: `vsw-emu-${regionId}`,
      PrivateIpAddress: { IpAddress: [inst.privateIp] },
    },
  };
}

const describeInstances: Handler = (state, ctx) => {
  const p = ctx.params;
  const region = regionOf(state, ctx);
  const page = resolvePage(p, { max: 100, dflt: 10, clampMaxResults: true });
  const status = p.str('Status');
  if (status !== undefined && !INSTANCE_STATUSES.includes(status as InstanceStatus)) {
    throw err(404, 'InvalidStatus.NotFound', `The specified Status ${status} does not exist.`);
  }
  const ids = parseInstanceIds(p.str('InstanceIds'));
  const tags = p.tags();
  const rg = p.str('ResourceGroupId');
  const name = p.str('InstanceName');
  const nameRe = name === undefined ? undefined : wildcard(name);
  const matched = region.instances.filter(
    (i) =>
      (status === undefined || i.status === status) &&
      (ids === undefined || ids.has(i.id)) &&
      (rg === undefined || i.resourceGroupId === rg) &&
      (nameRe === undefined || nameRe.test(i.name)) &&
      tags.every((t) => t.key in i.tags && (t.value === undefined || i.tags[t.key] === t.value)),
  );
  const { items, nextToken } = applyPage(matched, page);
  return {
    RequestId: ctx.requestId,
    TotalCount: matched.length,
    PageNumber: page.pageNumber,
    PageSize: page.size,
    NextToken: nextToken,
    Instances: { Instance: items.map((i) => render(i, region.regionId)) },
  };
};

const describeCloudAssistantStatus: Handler = (state, ctx) => {
  const p = ctx.params;
  const region = regionOf(state, ctx);
  const ids = p.list('InstanceId');
  if (ids.length > 100)
    throw err(403, 'InstanceIds.ExceedLimit', 'The number of instances exceeds the upper limit of 100.');
  const osType = p.str('OSType')?.toLowerCase();
  let list: Instance[];
  if (ids.length > 0) {
    list = ids.map((id) => {
      const inst = region.instancesById.get(id);
      if (!inst) throw err(404, 'InvalidInstance.NotFound', `The specified instance does not exist. (${id})`);
      return inst;
    });
  } else {
    list = region.instances;
  }
  if (osType) list = list.filter((i) => i.osType === osType);
  // With InstanceId given, paging is ignored (all requested instances are returned).
  const page =
    ids.length > 0
      ? { offset: 0, size: list.length, pageNumber: 1, tokenMode: false }
      : resolvePage(p, { max: 50, dflt: 10 });
  const { items, nextToken } = applyPage(list, page);
  const heartbeat = isoSeconds(Math.floor(ctx.now / 60_000) * 60_000);
  return {
    RequestId: ctx.requestId,
    TotalCount: list.length,
    PageNumber: page.pageNumber,
    PageSize: page.size,
    NextToken: nextToken,
    InstanceCloudAssistantStatusSet: {
      InstanceCloudAssistantStatus: items.map((i) => {
        const alive = i.status === 'Running' && state.faults.agentOnline(i.id, i.agent, ctx.now);
        return {
          InstanceId: i.id,
          CloudAssistantStatus: alive ? 'true' : 'false',
          CloudAssistantVersion: '2.2.3.398',
          OSType: i.osType === 'windows' ? 'Windows' : 'Linux',
          LastHeartbeatTime: alive ? heartbeat : isoSeconds(i.creationTime),
          LastInvokedTime: i.lastInvokedTime === undefined ? '' : isoSeconds(i.lastInvokedTime),
          InvocationCount: i.invocationCount,
          ActiveTaskCount: i.activeTaskCount,
          SupportSessionManager: true,
        };
      }),
    },
  };
};

export const INSTANCE_HANDLERS: Record<string, Handler> = {
  DescribeInstances: describeInstances,
  DescribeCloudAssistantStatus: describeCloudAssistantStatus,
};
