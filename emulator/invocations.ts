// ECS Cloud Assistant APIs: RunCommand, DescribeInvocations, DescribeInvocationResults, StopInvocation.
import { createHash } from 'node:crypto';
import type { CallContext, EmulatorState, Handler } from './context';
import { err, invalidParam, missingParam } from './errors';
import type { Invocation, InvocationInstance, Region } from './model';
import { encode, simulatedOutput } from './output';
import { applyPage, resolvePage } from './paging';
import type { Params } from './params';
import { V1_COMMON_PARAMS } from './signature';
import { aggregateLegacyStatus, aggregateStatus, legacyInstanceStatus } from './status';
import { customPlaceholders } from './substitute';
import { isoOrEmpty, isoSeconds } from './time';

const COMMAND_TYPES: Record<string, 'linux' | 'windows'> = {
  RunShellScript: 'linux',
  RunBatScript: 'windows',
  RunPowerShellScript: 'windows',
};
const MAX_INSTANCES = 100;
const CONTENT_LIMIT = 24 * 1024;
const CONTENT_LIMIT_KEEP = 18 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The region named by the request, within the caller's account. */
export function regionOf(state: EmulatorState, ctx: CallContext): Region {
  const regionId = ctx.params.required(
    'RegionId',
    err(400, 'MissingRegionId', 'RegionId is mandatory for this action.'),
  );
  return state.world.region(ctx.identity.accountId, regionId);
}

function hexId(state: EmulatorState, prefix: string): string {
  return `${prefix}${state.rng.hex(20)}`;
}

/** Fingerprint of a RunCommand request for ClientToken idempotency (envelope params excluded). */
function fingerprint(p: Params): string {
  const entries = [...p.map.entries()].filter(([k]) => k !== 'ClientToken' && !V1_COMMON_PARAMS.has(k)).sort();
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

function parseParameters(p: Params): Record<string, string> {
  const raw = p.str('Parameters');
  if (raw === undefined) return {};
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw invalidParam('Parameters', raw);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw invalidParam('Parameters', raw);
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    if (k === '') throw err(400, 'CmdParam.EmptyKey', 'The parameter key can not be empty.');
    if (k.length > 64)
      throw err(403, 'ParameterKey.ExceedLimit', 'The length of a parameter key exceeds 64 characters.');
    if (seen.has(k.toLowerCase())) throw err(400, 'ParameterKey.Duplicate', `Duplicate parameter key ${k}.`);
    seen.add(k.toLowerCase());
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (Object.keys(out).length > 10) {
    throw err(403, 'ParameterCount.ExceedLimit', 'The number of parameters exceeds the upper limit of 10.');
  }
  return out;
}

const runCommand: Handler = (state, ctx) => {
  const p = ctx.params;
  const region = regionOf(state, ctx);
  const type = p.required('Type');
  const os = COMMAND_TYPES[type];
  if (!os) throw err(404, 'InvalidCmdType.NotFound', 'The specified command type does not exist.');
  const rawContent = p.required('CommandContent');
  let content: string;
  let contentB64: string;
  if (p.str('ContentEncoding')?.toLowerCase() === 'base64') {
    if (!BASE64.test(rawContent)) {
      throw err(400, 'CmdContent.DecodeError', 'The specified content can not be decoded by Base64.');
    }
    contentB64 = rawContent;
    content = Buffer.from(rawContent, 'base64').toString('utf8');
  } else {
    content = rawContent;
    contentB64 = Buffer.from(rawContent, 'utf8').toString('base64');
  }
  const limit = p.bool('KeepCommand') ? CONTENT_LIMIT_KEEP : CONTENT_LIMIT;
  if (contentB64.length > limit) {
    throw err(403, 'CmdContent.ExceedLimit', `The command content exceeds ${limit / 1024} KB after Base64 encoding.`);
  }
  const ids = [...new Set(p.list('InstanceId'))];
  if (ids.length === 0) throw err(400, 'MissingParam.InstanceId', 'The parameter InstanceId is missing.');
  if (ids.length > MAX_INSTANCES) {
    throw err(403, 'InstanceIds.ExceedLimit', `The number of instances exceeds the upper limit of ${MAX_INSTANCES}.`);
  }
  const timeout = p.int('Timeout', { min: 1, invalid: invalidParam('Timeout', p.str('Timeout') ?? '') }) ?? 60;
  if (timeout > 86400) throw err(403, 'InvalidTimeout.ExceedLimit', 'The specified Timeout exceeds 86400 seconds.');
  const workingDir = p.str('WorkingDir') ?? '';
  if (workingDir.length > 200)
    throw err(400, 'InvalidParameter.WorkingDir', 'The WorkingDir is longer than 200 characters.');
  const username = p.str('Username') ?? '';
  if (username.length > 255) throw err(403, 'Username.ExceedLimit', 'The Username is longer than 255 characters.');
  const repeatMode = p.str('RepeatMode') ?? 'Once';
  if (repeatMode !== 'Once') {
    throw err(400, 'InvalidParameter', `RepeatMode ${repeatMode} is not supported by the emulator (only Once).`);
  }
  const enableParameter = p.bool('EnableParameter');
  const parameters = parseParameters(p);
  if (!enableParameter && Object.keys(parameters).length > 0) {
    throw err(400, 'Parameter.Disabled', 'Parameters are specified but EnableParameter is false.');
  }
  if (enableParameter) {
    const given = new Set(Object.keys(parameters).map((k) => k.toLowerCase()));
    for (const name of customPlaceholders(content)) {
      if (!given.has(name)) {
        throw err(400, 'Parameter.NotMatched', `The parameter ${name} used by the command has no value.`);
      }
    }
  }
  for (const id of ids) {
    const inst = region.instancesById.get(id);
    if (!inst) throw err(404, 'InvalidInstance.NotFound', `The specified instance does not exist. (${id})`);
    if (inst.osType !== os) {
      throw err(400, 'InvalidInstance.NotMatch', `The specified instance type does not match the command. (${id})`);
    }
  }

  const clientToken = p.str('ClientToken');
  let fp = '';
  if (clientToken !== undefined) {
    if (clientToken.length > 64 || !/^[\x20-\x7e]+$/.test(clientToken)) {
      throw err(400, 'InvalidClientToken.Malformed', 'The specified ClientToken is malformed.');
    }
    fp = fingerprint(p);
    const prior = region.clientTokens.get(clientToken);
    if (prior) {
      if (prior.fingerprint !== fp) {
        throw err(
          403,
          'IdempotentParameterMismatch',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      }
      return { RequestId: ctx.requestId, CommandId: prior.commandId, InvokeId: prior.invokeId };
    }
  }

  const now = ctx.now;
  const inv: Invocation = {
    invokeId: hexId(state, 't-'),
    commandId: hexId(state, 'c-'),
    accountId: region.accountId,
    regionId: region.regionId,
    commandName: p.str('Name') ?? '',
    commandType: type,
    commandContent: contentB64,
    content,
    enableParameter,
    timeout,
    workingDir,
    username,
    parameters,
    creationTime: now,
    visibleAt: now + (state.faults.get().invocationVisibilityDelayMs ?? 0),
    instances: ids.map((instanceId): InvocationInstance => ({
      instanceId,
      status: 'Pending',
      exitCode: 0,
      output: undefined,
      simOutput: undefined,
      dropped: 0,
      errorCode: '',
      errorInfo: '',
      creationTime: now,
      startTime: undefined,
      finishTime: undefined,
      stopTime: undefined,
      updateTime: now,
      cancel: undefined,
      execution: undefined,
    })),
  };
  region.invocations.push(inv);
  region.invocationsById.set(inv.invokeId, inv);
  if (clientToken !== undefined) {
    region.clientTokens.set(clientToken, { fingerprint: fp, invokeId: inv.invokeId, commandId: inv.commandId });
  }
  state.engine.dispatch(region, inv);
  return { RequestId: ctx.requestId, CommandId: inv.commandId, InvokeId: inv.invokeId };
};

function outputOf(rec: InvocationInstance, encoding: string | undefined): { Output: string; Dropped: number } {
  if (rec.output) return { Output: encode(rec.output, encoding), Dropped: rec.dropped };
  if (rec.simOutput && rec.finishTime !== undefined) {
    const { kept, dropped } = simulatedOutput(rec.simOutput);
    return { Output: encode(kept, encoding), Dropped: dropped };
  }
  return { Output: '', Dropped: 0 };
}

/** Visible invocations of a region, newest first. */
function visible(region: Region, now: number): Invocation[] {
  const out: Invocation[] = [];
  for (let i = region.invocations.length - 1; i >= 0; i--) {
    const inv = region.invocations[i];
    if (inv && inv.visibleAt <= now) out.push(inv);
  }
  return out;
}

function findVisible(region: Region, invokeId: string, now: number): Invocation | undefined {
  const inv = region.invocationsById.get(invokeId);
  return inv && inv.visibleAt <= now ? inv : undefined;
}

const describeInvocations: Handler = (state, ctx) => {
  const p = ctx.params;
  const region = regionOf(state, ctx);
  const page = resolvePage(p, { max: 50, dflt: 10 });
  const invokeId = p.str('InvokeId');
  const instanceId = p.str('InstanceId');
  const commandId = p.str('CommandId');
  const commandName = p.str('CommandName');
  const commandType = p.str('CommandType');
  const invokeStatus = p.str('InvokeStatus');
  const includeOutput = p.bool('IncludeOutput');
  const encoding = p.str('ContentEncoding');
  const candidates = invokeId
    ? [findVisible(region, invokeId, ctx.now)].filter((x): x is Invocation => x !== undefined)
    : visible(region, ctx.now);
  const statusOf = (inv: Invocation): { status: string; legacy: string } => {
    const statuses = inv.instances.map((r) => r.status);
    return { status: aggregateStatus(statuses), legacy: aggregateLegacyStatus(statuses) };
  };
  const rows: { inv: Invocation; recs: InvocationInstance[] }[] = [];
  for (const inv of candidates) {
    if (commandId && inv.commandId !== commandId) continue;
    if (commandName && inv.commandName !== commandName) continue;
    if (commandType && inv.commandType !== commandType) continue;
    const recs = instanceId ? inv.instances.filter((r) => r.instanceId === instanceId) : inv.instances;
    if (recs.length === 0) continue;
    if (invokeStatus) {
      const { status, legacy } = statusOf(inv);
      if (invokeStatus !== status && invokeStatus !== legacy) continue;
    }
    rows.push({ inv, recs });
  }
  // Aggregates are computed for the returned page only: polling cost stays flat as history grows.
  const page_ = applyPage(rows, page);
  const items = page_.items.map((row) => ({ ...row, ...statusOf(row.inv) }));
  const nextToken = page_.nextToken;
  return {
    RequestId: ctx.requestId,
    TotalCount: rows.length,
    PageNumber: page.pageNumber,
    PageSize: page.size,
    NextToken: nextToken,
    Invocations: {
      Invocation: items.map(({ inv, recs, status, legacy }) => ({
        InvokeId: inv.invokeId,
        CommandId: inv.commandId,
        CommandName: inv.commandName,
        CommandType: inv.commandType,
        CommandContent: encoding?.toLowerCase() === 'plaintext' ? inv.content : inv.commandContent,
        CommandDescription: '',
        Timeout: inv.timeout,
        WorkingDir: inv.workingDir,
        Username: inv.username,
        RepeatMode: 'Once',
        Timed: false,
        Frequency: '',
        CreationTime: isoSeconds(inv.creationTime),
        InvocationStatus: status,
        InvokeStatus: legacy,
        Parameters: JSON.stringify(inv.parameters),
        Tags: { Tag: [] },
        InvokeInstances: {
          InvokeInstance: recs.map((r) => ({
            InstanceId: r.instanceId,
            InvocationStatus: r.status,
            InstanceInvokeStatus: legacyInstanceStatus(r.status),
            ExitCode: r.exitCode,
            ...(includeOutput ? outputOf(r, encoding) : { Output: '', Dropped: 0 }),
            ErrorCode: r.errorCode,
            ErrorInfo: r.errorInfo,
            CreationTime: isoSeconds(r.creationTime),
            StartTime: isoOrEmpty(r.startTime),
            FinishTime: isoOrEmpty(r.finishTime),
            StopTime: isoOrEmpty(r.stopTime),
            UpdateTime: isoSeconds(r.updateTime),
            Repeats: r.startTime === undefined ? 0 : 1,
            Timed: false,
          })),
        },
      })),
    },
  };
};

const describeInvocationResults: Handler = (state, ctx) => {
  const p = ctx.params;
  const region = regionOf(state, ctx);
  const page = resolvePage(p, { max: 50, dflt: 10 });
  const invokeId = p.str('InvokeId');
  const instanceId = p.str('InstanceId');
  const commandId = p.str('CommandId');
  const recordStatus = p.str('InvokeRecordStatus');
  const encoding = p.str('ContentEncoding');
  const candidates = invokeId
    ? [findVisible(region, invokeId, ctx.now)].filter((x): x is Invocation => x !== undefined)
    : visible(region, ctx.now);
  const rows: { inv: Invocation; rec: InvocationInstance }[] = [];
  for (const inv of candidates) {
    if (commandId && inv.commandId !== commandId) continue;
    for (const rec of inv.instances) {
      if (instanceId && rec.instanceId !== instanceId) continue;
      if (recordStatus && legacyInstanceStatus(rec.status) !== recordStatus) continue;
      rows.push({ inv, rec });
    }
  }
  const { items, nextToken } = applyPage(rows, page);
  return {
    RequestId: ctx.requestId,
    Invocation: {
      PageSize: page.size,
      PageNumber: page.pageNumber,
      TotalCount: rows.length,
      NextToken: nextToken,
      InvocationResults: {
        InvocationResult: items.map(({ inv, rec }) => ({
          CommandId: inv.commandId,
          InvokeId: inv.invokeId,
          InstanceId: rec.instanceId,
          InvocationStatus: rec.status,
          InvokeRecordStatus: legacyInstanceStatus(rec.status),
          ExitCode: rec.exitCode,
          ...outputOf(rec, encoding),
          ErrorCode: rec.errorCode,
          ErrorInfo: rec.errorInfo,
          StartTime: isoOrEmpty(rec.startTime),
          FinishedTime: isoOrEmpty(rec.finishTime),
          StopTime: isoOrEmpty(rec.stopTime),
          Repeats: rec.startTime === undefined ? 0 : 1,
          Username: inv.username || 'root',
          Tags: { Tag: [] },
        })),
      },
    },
  };
};

const stopInvocation: Handler = (state, ctx) => {
  const p = ctx.params;
  const region = regionOf(state, ctx);
  const invokeId = p.required('InvokeId', missingParam('InvokeId'));
  const inv = findVisible(region, invokeId, ctx.now);
  if (!inv) throw err(404, 'InvalidInvokeId.NotFound', 'The specified invoke ID does not exist.');
  const ids = p.list('InstanceId');
  if (ids.length > MAX_INSTANCES) {
    throw err(403, 'InstanceIds.ExceedLimit', `The number of instances exceeds the upper limit of ${MAX_INSTANCES}.`);
  }
  for (const id of ids) {
    if (!inv.instances.some((r) => r.instanceId === id)) {
      throw err(404, 'InvalidInstanceId.NotFound', `The specified instance ${id} is not part of the invocation.`);
    }
  }
  state.engine.stop(region, inv, ids.length > 0 ? ids : undefined);
  return { RequestId: ctx.requestId };
};

export const INVOCATION_HANDLERS: Record<string, Handler> = {
  RunCommand: runCommand,
  DescribeInvocations: describeInvocations,
  DescribeInvocationResults: describeInvocationResults,
  StopInvocation: stopInvocation,
};
