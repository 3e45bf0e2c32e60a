// Input contracts of both workflows, with their OOS spelling (DESIGN §3). Workflow-safe.
import { z } from 'zod';
import { rateControlSchema, type RateControl } from './rateControl';

/** templateName of the built-in child: OOS's public template, run here as workflow type `bulkyRunCommand`. */
export const BULKY_TEMPLATE_NAME = 'ACS-ECS-BulkyRunCommand';
export const BULKY_WORKFLOW_TYPE = 'bulkyRunCommand';
export const PARENT_WORKFLOW_TYPE = 'multiAccountExecute';
export const DEFAULT_ROLE = 'OOSServiceRole';

/** Cloud Assistant script types. */
export const COMMAND_TYPES = ['RunShellScript', 'RunBatScript', 'RunPowerShellScript'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** OOS's commandContent MaxLength (the cloud's own 24 KB base64 limit is looser than this). */
export const MAX_COMMAND_BYTES = 16_384;
export const MAX_PARAMETERS = 10;
export const MAX_INSTANCES_PER_CALL = 100;
export const MAX_LOCATIONS = 1_000;
/**
 * Instances one location (one child workflow) runs on: its state and result then fit one payload under
 * Temporal's 256 KB warning (~25 bytes per instance). OOS itself loops over at most 1,000.
 */
export const MAX_INSTANCES_PER_LOCATION = 5_000;
export const MAX_RESOURCE_IDS = MAX_INSTANCES_PER_LOCATION;
export const MAX_RESOURCE_IDS_BYTES = 128 * 1024;

const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const regionId = z
  .string({ error: 'RegionId: a region id such as "cn-shanghai"' })
  .regex(REGION_ID, { error: 'RegionId: a region id such as "cn-shanghai"' });

const targetRegion = regionId.optional();

export const targetsSchema = z.discriminatedUnion(
  'Type',
  [
    z.strictObject({
      Type: z.literal('All'),
      Parameters: z
        .strictObject({
          Status: z
            .enum(['Pending', 'Running', 'Starting', 'Stopping', 'Stopped'], {
              error: 'Status: one of Pending, Running, Starting, Stopping, Stopped',
            })
            .optional(),
          RegionId: targetRegion,
          InstanceName: z.string().min(1).max(128).optional(),
        })
        .optional(),
      RegionId: targetRegion,
    }),
    z.strictObject({
      Type: z.literal('ResourceIds'),
      ResourceIds: z
        .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'an instance id such as "i-bp1..."' }), {
          error: 'ResourceIds: a list of instance ids',
        })
        .min(1, { error: 'ResourceIds: at least one instance id' })
        .max(MAX_RESOURCE_IDS, {
          error: `ResourceIds: at most ${MAX_RESOURCE_IDS} per location (split them over several runs or tags)`,
        })
        .refine((ids) => new Set(ids).size === ids.length, { error: 'ResourceIds: each instance id once' })
        // Instance ids are 22 characters; this keeps a location's roster inside one payload.
        .refine((ids) => ids.reduce((sum, id) => sum + id.length + 3, 0) <= MAX_RESOURCE_IDS_BYTES, {
          error: `ResourceIds: at most ${MAX_RESOURCE_IDS_BYTES / 1024} KB of ids in all (5,000 ids of 22 characters is 122 KB)`,
        }),
      RegionId: targetRegion,
    }),
    z.strictObject({
      Type: z.literal('Tags'),
      Tags: z
        .array(z.strictObject({ Key: z.string().min(1).max(128), Value: z.string().max(128).optional() }), {
          error: 'Tags: a list of {"Key","Value"}',
        })
        .min(1, { error: 'Tags: at least one tag' })
        .max(20, { error: 'Tags: at most 20 tags' }),
      RegionId: targetRegion,
    }),
    z.strictObject({
      Type: z.literal('ResourceGroup'),
      ResourceGroupId: z.string().regex(/^rg-[A-Za-z0-9]+$/, { error: 'ResourceGroupId: such as "rg-acfm..."' }),
      RegionId: targetRegion,
    }),
  ],
  { error: 'Type: one of All, ResourceIds, Tags, ResourceGroup' },
);
export type Targets = z.infer<typeof targetsSchema>;

/** No process takes a NUL byte in its script or environment: the cloud could not run such a command. */
const hasNoNul = (v: unknown) => typeof v !== 'string' || !v.includes('\u0000');
const nulError = (what: string) => ({ error: `${what}: must not contain a NUL byte (\\u0000)` });

const parameterValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'parameter values: strings, numbers or booleans' })
  .refine(hasNoNul, nulError('parameter values'));

const ROLE_CHAIN_ERROR = 'OOSAssumeRole: a role chain string of at most 2048 characters';
const roleChain = () => z.string({ error: ROLE_CHAIN_ERROR }).max(2048, { error: ROLE_CHAIN_ERROR });

/**
 * The child's parameters: the seed's templateParameters (OOS names) merged with `regionId` and
 * `OOSAssumeRole`, plus a few documented extensions in camelCase.
 */
export const bulkyRunCommandInputSchema = z.strictObject({
  regionId,
  OOSAssumeRole: roleChain().default(''),
  resourceType: z.literal('ALIYUN::ECS::Instance').optional(),
  commandType: z.enum(COMMAND_TYPES, { error: `commandType: one of ${COMMAND_TYPES.join(', ')}` }),
  commandContent: z
    .string({ error: 'commandContent: a script as a string' })
    .min(1, { error: 'commandContent: must not be empty' })
    .refine(hasNoNul, nulError('commandContent')),
  workingDir: z.string().max(200, { error: 'workingDir: at most 200 characters' }).default(''),
  windowsPasswordName: z.string().max(255, { error: 'windowsPasswordName: at most 255 characters' }).default(''),
  username: z.string().max(255, { error: 'username: at most 255 characters' }).default(''),
  timeout: z
    .number({ error: 'timeout: seconds, an integer from 1 to 86400' })
    .int({ error: 'timeout: seconds, an integer from 1 to 86400' })
    .min(1, { error: 'timeout: seconds, an integer from 1 to 86400' })
    .max(86_400, { error: 'timeout: seconds, an integer from 1 to 86400' })
    .default(600),
  enableParameter: z.boolean({ error: 'enableParameter: true or false' }).default(false),
  parameters: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'parameter names: 1-64 of [A-Za-z0-9_-]' }),
      parameterValue,
    )
    .default({}),
  targets: targetsSchema,
  rateControl: rateControlSchema.optional(),
  // Extensions (not in OOS):
  /** Stop running invocations (StopInvocation) as soon as MaxErrors is exceeded, instead of letting them finish. */
  stopOnMaxErrors: z.boolean({ error: 'stopOnMaxErrors: true or false' }).default(false),
  /** Instances sent per RunCommand call when several slots are free (1 = OOS-style, one call per instance). */
  instancesPerCall: z
    .number({ error: `instancesPerCall: an integer from 1 to ${MAX_INSTANCES_PER_CALL}` })
    .int({ error: `instancesPerCall: an integer from 1 to ${MAX_INSTANCES_PER_CALL}` })
    .min(1, { error: `instancesPerCall: an integer from 1 to ${MAX_INSTANCES_PER_CALL}` })
    .max(MAX_INSTANCES_PER_CALL, { error: `instancesPerCall: an integer from 1 to ${MAX_INSTANCES_PER_CALL}` })
    .default(MAX_INSTANCES_PER_CALL),
  /** How often running invocations are polled. */
  pollIntervalSeconds: z
    .number({ error: 'pollIntervalSeconds: from 0.05 to 60' })
    .min(0.05, { error: 'pollIntervalSeconds: from 0.05 to 60' })
    .max(60, { error: 'pollIntervalSeconds: from 0.05 to 60' })
    .default(2),
  /** Bytes of each instance's output kept in the workflow result (the cloud keeps up to 24 KB). */
  outputMaxBytes: z
    .number({ error: 'outputMaxBytes: an integer from 0 to 24576' })
    .int({ error: 'outputMaxBytes: an integer from 0 to 24576' })
    .min(0, { error: 'outputMaxBytes: an integer from 0 to 24576' })
    .max(24_576, { error: 'outputMaxBytes: an integer from 0 to 24576' })
    .default(2048),
  /**
   * Continue-as-new once the history has this many events (0 = when the server suggests it, ~4,096).
   * A tuning and test knob; the default suits production.
   */
  continueAsNewAfterEvents: z
    .number({ error: 'continueAsNewAfterEvents: 0 (server default) or 100 to 40000' })
    .int({ error: 'continueAsNewAfterEvents: 0 (server default) or 100 to 40000' })
    .min(0, { error: 'continueAsNewAfterEvents: 0 (server default) or 100 to 40000' })
    .max(40_000, { error: 'continueAsNewAfterEvents: 0 (server default) or 100 to 40000' })
    .refine((n) => n === 0 || n >= 100, { error: 'continueAsNewAfterEvents: 0 (server default) or 100 to 40000' })
    .default(0),
  /**
   * false: return only counts (instances [], roster null), as a child of multiAccountExecute does so that
   * the parent's history stays small; the full result is then the child's `result` query.
   */
  returnInstances: z.boolean({ error: 'returnInstances: true or false' }).default(true),
  /** Internal: the state a run hands to its next run on continue-as-new. Never set it yourself. */
  continuation: z
    .looseObject(
      {
        accountId: z.string(),
        missing: z.array(z.string()),
        next: z.number().int().min(0),
        sequence: z.number().int().min(0),
        window: z.looseObject({ total: z.number(), rateControl: z.looseObject({ Mode: z.string() }) }),
        stopSent: z.boolean(),
      },
      { error: 'continuation: internal state written by continue-as-new; do not set it' },
    )
    .optional(),
});
export type BulkyRunCommandInput = z.input<typeof bulkyRunCommandInputSchema>;
export type BulkyRunCommandParams = z.output<typeof bulkyRunCommandInputSchema>;

export const locationSchema = z.strictObject(
  {
    OOSAssumeRole: roleChain().optional(),
    RegionId: regionId,
  },
  { error: 'each item: {"OOSAssumeRole": "...", "RegionId": "..."}' },
);

export const multiAccountExecuteInputSchema = z.strictObject({
  accountRoleAndRegions: z
    .array(locationSchema, { error: 'accountRoleAndRegions: a list of {"OOSAssumeRole","RegionId"} items' })
    .min(1, { error: 'accountRoleAndRegions: at least one item' })
    .max(MAX_LOCATIONS, { error: `accountRoleAndRegions: at most ${MAX_LOCATIONS} items` }),
  templateName: z.string().min(1).max(200).default(BULKY_TEMPLATE_NAME),
  templateParameters: z.record(z.string(), z.unknown(), { error: 'templateParameters: a JSON object' }).default({}),
  rateControl: rateControlSchema.optional(),
  OOSAssumeRole: roleChain().default(DEFAULT_ROLE),
  // Extensions:
  /** Task queue of the child workflows (default: the parent's). */
  templateTaskQueue: z.string().min(1).max(200).optional(),
});
export type MultiAccountExecuteInput = z.input<typeof multiAccountExecuteInputSchema>;
export type MultiAccountExecuteParams = z.output<typeof multiAccountExecuteInputSchema>;

export type { RateControl };
