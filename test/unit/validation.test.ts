// Input validation (DESIGN §3): every malformed input is refused before any cloud call, with the field's
// exact path, the value given and what is allowed. Plus the plan of a valid input, and a fuzz test.
// The cases edit untyped JSON on purpose (that is what malformed input is), hence `any` member access.
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeProblems, type InputProblem } from '../../contract/errors';
import { MAX_COMMAND_BYTES } from '../../contract/input';
import { InputValidationError, validateBulkyInput, validateMultiAccountInput } from '../../contract/validate';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SEED_TEXT = readFileSync(join(__dirname, '../../examples/seed-input.json'), 'utf8');
/** A fresh copy of examples/seed-input.json. */
const seed = (): Obj => JSON.parse(SEED_TEXT) as Obj;
/** The seed with its templateParameters changed by `f`. */
const withParams =
  (f: (tp: Obj) => void) =>
  (s: Obj): undefined => {
    f(s.templateParameters as Obj);
  };

const T = 'accountRoleAndRegions[0] → templateParameters';
const T1 = 'accountRoleAndRegions[1] → templateParameters';
const hops = (n: number) => Array.from({ length: n }, (_, i) => `${100 + i}/R${i}`).join('|');

/** Runs validation and returns its problems (fails the test when the input is accepted or another error escapes). */
function problemsOf(run: () => unknown): InputProblem[] {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof InputValidationError, `InputValidationError expected, got ${String(e)}`);
    assert.equal(e.name, 'InputValidationError');
    assert.ok(e.problems.length > 0);
    assert.equal(e.message, `invalid input:\n${describeProblems(e.problems)}`);
    return e.problems;
  }
  assert.fail('the input was accepted');
}

interface BadCase {
  name: string;
  /** Changes the seed in place, or returns a whole new input. */
  input: (s: Obj) => unknown;
  path: string;
  allowed: RegExp;
  /** The value reported, when it is worth checking exactly. */
  value?: unknown;
  /** How many problems (default: not checked beyond the first). */
  count?: number;
}

const badCases: BadCase[] = [
  // --- the input as a whole
  { name: 'input is null', input: () => null, path: '', allowed: /expected object/ },
  { name: 'input is a list', input: () => [], path: '', allowed: /expected object/ },
  { name: 'input is a string', input: () => 'seed.json', path: '', allowed: /expected object/ },
  {
    name: 'unknown top-level key',
    input: (s) => void (s.dryRun = true),
    path: 'dryRun',
    value: true,
    allowed: /a known key: accountRoleAndRegions, templateName, templateParameters, rateControl, OOSAssumeRole/,
    count: 1,
  },
  // --- accountRoleAndRegions
  {
    name: 'accountRoleAndRegions missing',
    input: (s) => void delete s.accountRoleAndRegions,
    path: 'accountRoleAndRegions',
    allowed: /a list of \{"OOSAssumeRole","RegionId"\} items/,
  },
  {
    name: 'accountRoleAndRegions empty',
    input: (s) => void (s.accountRoleAndRegions = []),
    path: 'accountRoleAndRegions',
    allowed: /at least one item/,
  },
  {
    name: 'accountRoleAndRegions is a string',
    input: (s) => void (s.accountRoleAndRegions = 'cn-shanghai'),
    path: 'accountRoleAndRegions',
    value: 'cn-shanghai',
    allowed: /a list of/,
  },
  {
    name: 'accountRoleAndRegions over 1000 items',
    input: (s) =>
      void (s.accountRoleAndRegions = Array.from({ length: 1001 }, (_, i) => ({
        OOSAssumeRole: `${i}/R`,
        RegionId: 'cn-shanghai',
      }))),
    path: 'accountRoleAndRegions',
    allowed: /at most 1000 items/,
  },
  {
    name: "children's inputs over 32 MB in total (1,000 locations × 5,000 ResourceIds)",
    input: (s) => {
      s.accountRoleAndRegions = Array.from({ length: 1000 }, (_, i) => ({
        OOSAssumeRole: `${100000 + i}/R`,
        RegionId: 'cn-shanghai',
      }));
      (s.templateParameters as Obj).targets = {
        Type: 'ResourceIds',
        ResourceIds: Array.from({ length: 5000 }, (_, i) => `i-bp${String(i).padStart(18, '0')}`),
      };
    },
    path: 'templateParameters',
    value: '1000 locations × 122 KB each',
    allowed: /at most 32 MB .*Tags or ResourceGroup instead of long ResourceIds lists, or split the run/,
  },
  {
    name: 'an item is a string',
    input: (s) => void (s.accountRoleAndRegions[1] = 'cn-beijing'),
    path: 'accountRoleAndRegions[1]',
    value: 'cn-beijing',
    allowed: /each item: \{"OOSAssumeRole": "...", "RegionId": "..."\}/,
  },
  {
    name: 'missing RegionId',
    input: (s) => void delete s.accountRoleAndRegions[0].RegionId,
    path: 'accountRoleAndRegions[0].RegionId',
    value: undefined,
    allowed: /a region id such as "cn-shanghai"/,
  },
  {
    name: 'RegionId not a region id',
    input: (s) => void (s.accountRoleAndRegions[1].RegionId = 'Beijing'),
    path: 'accountRoleAndRegions[1].RegionId',
    value: 'Beijing',
    allowed: /a region id such as "cn-shanghai"/,
  },
  {
    name: 'RegionId a number',
    input: (s) => void (s.accountRoleAndRegions[0].RegionId = 1),
    path: 'accountRoleAndRegions[0].RegionId',
    value: 1,
    allowed: /a region id/,
  },
  {
    name: 'item OOSAssumeRole over 2048 characters',
    input: (s) => void (s.accountRoleAndRegions[0].OOSAssumeRole = 'R'.repeat(2049)),
    path: 'accountRoleAndRegions[0].OOSAssumeRole',
    allowed: /a role chain string of at most 2048 characters/,
  },
  {
    name: 'item OOSAssumeRole a number',
    input: (s) => void (s.accountRoleAndRegions[0].OOSAssumeRole = 654321),
    path: 'accountRoleAndRegions[0].OOSAssumeRole',
    value: 654321,
    allowed: /a role chain string/,
  },
  {
    name: 'unknown key in an item (OOS spelling is RegionId)',
    input: (s) => void (s.accountRoleAndRegions[0].Region = 'cn-hangzhou'),
    path: 'accountRoleAndRegions[0].Region',
    value: 'cn-hangzhou',
    allowed: /"OOSAssumeRole".*"RegionId"/,
    count: 1,
  },
  {
    name: 'duplicated account/region',
    input: (s) => void (s.accountRoleAndRegions[1].RegionId = 'cn-shanghai'),
    path: 'accountRoleAndRegions[1]',
    allowed: /each account\/region once; account 654321 region cn-shanghai is already item 0/,
    count: 1,
  },
  {
    name: 'duplicated account/region written as an ARN',
    input: (s) =>
      void (s.accountRoleAndRegions[1] = {
        OOSAssumeRole: 'acs:ram::123456:role/Hub|acs:ram::654321:role/OOSServiceRole',
        RegionId: 'cn-shanghai',
      }),
    path: 'accountRoleAndRegions[1]',
    allowed: /each account\/region once/,
  },
  {
    name: 'role chain hop without role name',
    input: (s) => void (s.accountRoleAndRegions[0].OOSAssumeRole = 'OOSServiceRole|654321/'),
    path: 'accountRoleAndRegions[0].OOSAssumeRole',
    value: 'OOSServiceRole|654321/',
    allowed: /role name "" must be 1-64 letters, digits/,
  },
  {
    name: 'role chain hop with a non-digit account',
    input: (s) => void (s.accountRoleAndRegions[1].OOSAssumeRole = 'OOSServiceRole|prod/OOSServiceRole'),
    path: 'accountRoleAndRegions[1].OOSAssumeRole',
    allowed: /account id "prod" must be digits \(AccountId\/RoleName\)/,
  },
  {
    name: "role chain with an empty hop 'a||b'",
    input: (s) => void (s.accountRoleAndRegions[0].OOSAssumeRole = 'a||b'),
    path: 'accountRoleAndRegions[0].OOSAssumeRole',
    allowed: /hop 2 is empty/,
  },
  {
    name: 'role chain of 11 hops',
    input: (s) => void (s.accountRoleAndRegions[0].OOSAssumeRole = hops(11)),
    path: 'accountRoleAndRegions[0].OOSAssumeRole',
    allowed: /at most 10 hops/,
  },
  {
    name: "bad default chain used through a leading '|'",
    input: (s) => {
      s.OOSAssumeRole = 'OOS Service Role';
      s.accountRoleAndRegions[0].OOSAssumeRole = '|654321/OOSServiceRole';
    },
    path: 'accountRoleAndRegions[0].OOSAssumeRole',
    value: '|654321/OOSServiceRole',
    allowed: /hop "OOS Service Role" must be RoleName, AccountId\/RoleName or acs:ram::AccountId:role\/RoleName/,
  },
  // --- top-level scalars
  {
    name: 'OOSAssumeRole a list',
    input: (s) => void (s.OOSAssumeRole = ['OOSServiceRole']),
    path: 'OOSAssumeRole',
    allowed: /a role chain string/,
  },
  {
    name: 'templateName empty',
    input: (s) => void (s.templateName = ''),
    path: 'templateName',
    allowed: />=1 characters/,
  },
  {
    name: 'templateName a number',
    input: (s) => void (s.templateName = 7),
    path: 'templateName',
    allowed: /expected string/,
  },
  {
    name: 'templateParameters a list',
    input: (s) => void (s.templateParameters = []),
    path: 'templateParameters',
    allowed: /a JSON object/,
  },
  {
    name: 'templateTaskQueue empty',
    input: (s) => void (s.templateTaskQueue = ''),
    path: 'templateTaskQueue',
    allowed: />=1 characters/,
  },
  // --- location-level rateControl
  {
    name: 'rateControl unknown Mode',
    input: (s) => void (s.rateControl.Mode = 'Parallel'),
    path: 'rateControl.Mode',
    value: 'Parallel',
    allowed: /"Concurrency" or "Batch"/,
  },
  {
    name: 'rateControl Concurrency "abc"',
    input: (s) => void (s.rateControl.Concurrency = 'abc'),
    path: 'rateControl.Concurrency',
    value: 'abc',
    allowed: /an integer from 1 to 1000000 or a percentage above "0%" up to "100%"/,
  },
  {
    name: 'rateControl Concurrency 0',
    input: (s) => void (s.rateControl.Concurrency = 0),
    path: 'rateControl.Concurrency',
    allowed: /an integer from 1 to 1000000/,
  },
  {
    name: 'rateControl Concurrency 1.5',
    input: (s) => void (s.rateControl.Concurrency = 1.5),
    path: 'rateControl.Concurrency',
    allowed: /an integer from 1 to 1000000/,
  },
  {
    name: 'rateControl MaxErrors "150%"',
    input: (s) => void (s.rateControl.MaxErrors = '150%'),
    path: 'rateControl.MaxErrors',
    value: '150%',
    allowed: /an integer from 0 to 1000000 or a percentage from "0%" to "100%"/,
  },
  {
    name: 'rateControl MaxErrors -1',
    input: (s) => void (s.rateControl.MaxErrors = -1),
    path: 'rateControl.MaxErrors',
    value: -1,
    allowed: /an integer from 0 to 1000000/,
  },
  {
    name: 'rateControl unknown key',
    input: (s) => void (s.rateControl.Batch = [1]),
    path: 'rateControl.Batch',
    allowed: /a known key: Mode, Concurrency, MaxErrors/,
  },
  {
    name: 'rateControl Batch mode without Batch',
    input: (s) => void (s.rateControl = { Mode: 'Batch' }),
    path: 'rateControl.Batch',
    allowed: /Batch: a list of counts or percentages/,
  },
  // --- templateParameters (the child's input, checked per location)
  {
    name: 'commandType missing',
    input: withParams((tp) => delete tp.commandType),
    path: `${T}.commandType`,
    value: undefined,
    allowed: /one of RunShellScript, RunBatScript, RunPowerShellScript/,
    count: 1,
  },
  {
    name: 'unknown commandType',
    input: withParams((tp) => (tp.commandType = 'RunBashScript')),
    path: `${T}.commandType`,
    value: 'RunBashScript',
    allowed: /one of RunShellScript, RunBatScript, RunPowerShellScript/,
  },
  {
    name: 'commandContent missing',
    input: withParams((tp) => delete tp.commandContent),
    path: `${T}.commandContent`,
    allowed: /a script as a string/,
  },
  {
    name: 'commandContent empty',
    input: withParams((tp) => (tp.commandContent = '')),
    path: `${T}.commandContent`,
    allowed: /must not be empty/,
  },
  {
    name: 'commandContent over the limit by one byte',
    input: withParams((tp) => (tp.commandContent = 'x'.repeat(MAX_COMMAND_BYTES + 1))),
    path: `${T}.commandContent`,
    value: '16385 bytes',
    allowed: /at most 16384 bytes/,
    count: 1,
  },
  {
    name: 'commandContent over the limit in bytes, not in characters',
    input: withParams((tp) => (tp.commandContent = 'é'.repeat(8193))),
    path: `${T}.commandContent`,
    value: '16386 bytes',
    allowed: /at most 16384 bytes/,
  },
  {
    name: 'commandContent with a NUL byte',
    input: withParams((tp) => (tp.commandContent = 'echo a\u0000b')),
    path: `${T}.commandContent`,
    allowed: /commandContent: must not contain a NUL byte/,
  },
  {
    name: 'parameter value with a NUL byte',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = { name: 'a\u0000b' };
    }),
    path: `${T}.parameters.name`,
    allowed: /parameter values: must not contain a NUL byte/,
  },
  {
    name: 'workingDir over 200 characters',
    input: withParams((tp) => (tp.workingDir = '/'.repeat(201))),
    path: `${T}.workingDir`,
    allowed: /at most 200 characters/,
  },
  {
    name: 'workingDir a number',
    input: withParams((tp) => (tp.workingDir = 5)),
    path: `${T}.workingDir`,
    value: 5,
    allowed: /expected string/,
  },
  {
    name: 'windowsPasswordName over 255 characters',
    input: withParams((tp) => (tp.windowsPasswordName = 'p'.repeat(256))),
    path: `${T}.windowsPasswordName`,
    allowed: /at most 255 characters/,
  },
  {
    name: 'username over 255 characters',
    input: withParams((tp) => (tp.username = 'u'.repeat(256))),
    path: `${T}.username`,
    allowed: /at most 255 characters/,
  },
  {
    name: 'timeout 0',
    input: withParams((tp) => (tp.timeout = 0)),
    path: `${T}.timeout`,
    value: 0,
    allowed: /an integer from 1 to 86400/,
  },
  {
    name: 'timeout negative',
    input: withParams((tp) => (tp.timeout = -60)),
    path: `${T}.timeout`,
    allowed: /an integer from 1 to 86400/,
  },
  {
    name: 'timeout over a day',
    input: withParams((tp) => (tp.timeout = 86_401)),
    path: `${T}.timeout`,
    allowed: /an integer from 1 to 86400/,
  },
  {
    name: 'timeout as a string',
    input: withParams((tp) => (tp.timeout = '600')),
    path: `${T}.timeout`,
    value: '600',
    allowed: /seconds, an integer from 1 to 86400/,
  },
  {
    name: 'timeout fractional',
    input: withParams((tp) => (tp.timeout = 1.5)),
    path: `${T}.timeout`,
    allowed: /an integer from 1 to 86400/,
  },
  {
    name: 'enableParameter a string',
    input: withParams((tp) => (tp.enableParameter = 'true')),
    path: `${T}.enableParameter`,
    allowed: /true or false/,
  },
  {
    name: 'too many parameters',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, i]));
    }),
    path: `${T}.parameters`,
    value: '11 parameters',
    allowed: /at most 10/,
    count: 1,
  },
  {
    name: 'parameters without enableParameter',
    input: withParams((tp) => (tp.parameters = { name: 'x' })),
    path: `${T}.parameters`,
    allowed: /no parameters unless enableParameter is true/,
  },
  {
    name: 'parameter name with a space',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = { 'bad name': 1 };
    }),
    path: `${T}.parameters.bad name`,
    value: 'bad name',
    allowed: /parameter names: 1-64 of \[A-Za-z0-9_-\]/,
  },
  {
    name: 'parameter value an object',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = { name: { nested: true } };
    }),
    path: `${T}.parameters.name`,
    allowed: /strings, numbers or booleans/,
  },
  {
    name: 'placeholder naming an unknown parameter',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = { name: 'world' };
      tp.commandContent = 'echo {{name}} {{ nmae }}';
    }),
    path: `${T}.commandContent`,
    value: '{{nmae}}',
    allowed: /placeholders naming a key of parameters \(name\) or a built-in \(ACS::RegionId/,
    count: 1,
  },
  {
    name: 'placeholder left outside commandContent',
    input: withParams((tp) => (tp.workingDir = '/home/{{user}}')),
    path: `${T}.workingDir`,
    value: '{{user}}',
    allowed: /only \{\{regionId\}\} and \{\{OOSAssumeRole\}\} are substituted outside commandContent/,
    count: 1,
  },
  {
    name: 'placeholder left deep inside targets',
    input: withParams((tp) => (tp.targets = { Type: 'Tags', Tags: [{ Key: 'env', Value: '{{env}}' }] })),
    path: `${T}.targets.Tags[0].Value`,
    value: '{{env}}',
    allowed: /only \{\{regionId\}\} and \{\{OOSAssumeRole\}\}/,
  },
  {
    name: 'unknown key in templateParameters (a typo)',
    input: withParams((tp) => (tp.commandContnet = 'echo hi')),
    path: `${T}.commandContnet`,
    value: 'echo hi',
    allowed: /a known key: regionId, OOSAssumeRole, .*commandType, commandContent/,
    count: 1,
  },
  {
    name: 'unknown key nested 4,000 levels deep (no stack overflow)',
    input: withParams((tp) => {
      let deep: unknown = 'x';
      for (let i = 0; i < 4000; i++) deep = { a: deep };
      tp.nested = deep;
    }),
    path: `${T}.nested`,
    allowed: /a known key: regionId/,
    count: 1,
  },
  {
    name: 'resourceType other than ECS instances',
    input: withParams((tp) => (tp.resourceType = 'ALIYUN::RDS::Instance')),
    path: `${T}.resourceType`,
    allowed: /ALIYUN::ECS::Instance/,
  },
  // --- targets
  {
    name: 'targets missing',
    input: withParams((tp) => delete tp.targets),
    path: `${T}.targets`,
    allowed: /Type: one of All, ResourceIds, Tags, ResourceGroup/,
  },
  {
    name: 'unknown targets Type',
    input: withParams((tp) => (tp.targets = { Type: 'Instances', ResourceIds: ['i-1'] })),
    path: `${T}.targets.Type`,
    value: 'Instances',
    allowed: /one of All, ResourceIds, Tags, ResourceGroup/,
  },
  {
    name: 'targets Status unknown',
    input: withParams((tp) => (tp.targets.Parameters.Status = 'Up')),
    path: `${T}.targets.Parameters.Status`,
    value: 'Up',
    allowed: /one of Pending, Running, Starting, Stopping, Stopped/,
  },
  {
    name: 'targets unknown key',
    input: withParams((tp) => (tp.targets.ResourceIds = ['i-1'])),
    path: `${T}.targets.ResourceIds`,
    allowed: /a known key: Type, Parameters, RegionId/,
  },
  {
    name: 'ResourceIds empty',
    input: withParams((tp) => (tp.targets = { Type: 'ResourceIds', ResourceIds: [] })),
    path: `${T}.targets.ResourceIds`,
    allowed: /at least one instance id/,
  },
  {
    name: 'ResourceIds duplicated',
    input: withParams((tp) => (tp.targets = { Type: 'ResourceIds', ResourceIds: ['i-1', 'i-2', 'i-1'] })),
    path: `${T}.targets.ResourceIds`,
    allowed: /each instance id once/,
  },
  {
    name: 'ResourceIds over the per-location limit',
    input: withParams(
      (tp) =>
        (tp.targets = {
          Type: 'ResourceIds',
          ResourceIds: Array.from({ length: 5_001 }, (_, i) => `i-${String(i).padStart(20, '0')}`),
        }),
    ),
    path: `${T}.targets.ResourceIds`,
    allowed: /at most 5000 per location/,
  },
  {
    name: 'ResourceIds over 128 KB in all (3,000 ids of 64 characters)',
    input: withParams(
      (tp) =>
        (tp.targets = {
          Type: 'ResourceIds',
          ResourceIds: Array.from({ length: 3_000 }, (_, i) => `i-${String(i).padStart(62, '0')}`),
        }),
    ),
    path: `${T}.targets.ResourceIds`,
    allowed: /at most 128 KB of ids in all/,
  },
  {
    name: 'templateParameters.returnInstances (the parent decides)',
    input: withParams((tp) => (tp.returnInstances = true)),
    path: 'templateParameters.returnInstances',
    value: true,
    allowed: /nothing: the parent's children return counts only/,
  },
  {
    name: 'templateParameters.continuation (internal state)',
    input: withParams((tp) => (tp.continuation = { next: 0 })),
    path: 'templateParameters.continuation',
    allowed: /nothing: continuation is internal state/,
  },
  {
    name: "children's inputs over 32 MB of UTF-8 (1,000 locations, a CJK parameter of 30,000 characters)",
    input: (s) => {
      s.accountRoleAndRegions = Array.from({ length: 1000 }, (_, i) => ({
        OOSAssumeRole: `${100000 + i}/R`,
        RegionId: 'cn-shanghai',
      }));
      const tp = s.templateParameters as Obj;
      tp.enableParameter = true;
      tp.commandContent = 'echo {{note}}';
      tp.parameters = { note: '补丁'.repeat(15_000) };
    },
    path: 'templateParameters',
    value: '1000 locations × 88 KB each',
    allowed: /at most 32 MB of UTF-8/,
  },
  {
    name: 'ResourceIds with a bad id',
    input: withParams((tp) => (tp.targets = { Type: 'ResourceIds', ResourceIds: ['i-1', 'i 2'] })),
    path: `${T}.targets.ResourceIds[1]`,
    value: 'i 2',
    allowed: /an instance id such as "i-bp1..."/,
  },
  {
    name: 'Tags empty',
    input: withParams((tp) => (tp.targets = { Type: 'Tags', Tags: [] })),
    path: `${T}.targets.Tags`,
    allowed: /at least one tag/,
  },
  {
    name: 'Tags over 20',
    input: withParams(
      (tp) =>
        (tp.targets = { Type: 'Tags', Tags: Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
    ),
    path: `${T}.targets.Tags`,
    allowed: /at most 20 tags/,
  },
  {
    name: 'tag without Key',
    input: withParams((tp) => (tp.targets = { Type: 'Tags', Tags: [{ Value: 'prod' }] })),
    path: `${T}.targets.Tags[0].Key`,
    value: undefined,
    allowed: /expected string/,
  },
  {
    name: 'ResourceGroupId malformed',
    input: withParams((tp) => (tp.targets = { Type: 'ResourceGroup', ResourceGroupId: 'group-1' })),
    path: `${T}.targets.ResourceGroupId`,
    value: 'group-1',
    allowed: /such as "rg-acfm..."/,
  },
  {
    name: 'targets RegionId of another region',
    input: withParams((tp) => (tp.targets.RegionId = 'cn-hangzhou')),
    path: `${T}.targets.RegionId`,
    value: 'cn-hangzhou',
    allowed: /the location's region "cn-shanghai" \(or \{\{regionId\}\}\)/,
    count: 2, // cn-beijing differs too, with its own message
  },
  {
    name: 'targets Parameters.RegionId of another region',
    input: withParams((tp) => (tp.targets.Parameters.RegionId = 'cn-hangzhou')),
    path: `${T}.targets.Parameters.RegionId`,
    value: 'cn-hangzhou',
    allowed: /the location's region "cn-shanghai"/,
    count: 2, // cn-beijing differs too, with its own message
  },
  {
    name: 'targets RegionId fixed to the first location only fails the second',
    input: withParams((tp) => {
      tp.targets.RegionId = 'cn-shanghai';
      tp.targets.Parameters.RegionId = 'cn-shanghai';
    }),
    path: `${T1}.targets.RegionId`,
    value: 'cn-shanghai',
    allowed: /the location's region "cn-beijing"/,
    count: 2,
  },
  {
    name: 'targets RegionId malformed',
    input: withParams((tp) => (tp.targets.RegionId = 'shanghai')),
    path: `${T}.targets.RegionId`,
    allowed: /a region id such as "cn-shanghai"/,
  },
  // --- the child's own rateControl
  {
    name: 'child rateControl unknown Mode',
    input: withParams((tp) => (tp.rateControl.Mode = 'Rolling')),
    path: `${T}.rateControl.Mode`,
    allowed: /"Concurrency" or "Batch"/,
  },
  {
    name: 'child rateControl Concurrency "150%"',
    input: withParams((tp) => (tp.rateControl.Concurrency = '150%')),
    path: `${T}.rateControl.Concurrency`,
    value: '150%',
    allowed: /up to "100%"/,
  },
  {
    name: 'child rateControl Batch entry "0%"',
    input: withParams((tp) => (tp.rateControl = { Mode: 'Batch', Batch: [1, '0%'] })),
    path: `${T}.rateControl.Batch[1]`,
    value: '0%',
    allowed: /Batch entry: an integer from 1 to 1000000 or a percentage above "0%"/,
  },
  {
    name: 'child rateControl unknown BatchPauseOption',
    input: withParams((tp) => (tp.rateControl = { Mode: 'Batch', Batch: [1], BatchPauseOption: 'Never' })),
    path: `${T}.rateControl.BatchPauseOption`,
    allowed: /one of Automatic, FirstBatchPause, EveryBatchPause/,
  },
  {
    name: 'child rateControl MaxErrors negative',
    input: withParams((tp) => (tp.rateControl.MaxErrors = -3)),
    path: `${T}.rateControl.MaxErrors`,
    allowed: /an integer from 0 to 1000000/,
  },
  // --- extensions
  {
    name: 'instancesPerCall 0',
    input: withParams((tp) => (tp.instancesPerCall = 0)),
    path: `${T}.instancesPerCall`,
    allowed: /an integer from 1 to 100/,
  },
  {
    name: 'instancesPerCall 101',
    input: withParams((tp) => (tp.instancesPerCall = 101)),
    path: `${T}.instancesPerCall`,
    allowed: /an integer from 1 to 100/,
  },
  {
    name: 'pollIntervalSeconds 0',
    input: withParams((tp) => (tp.pollIntervalSeconds = 0)),
    path: `${T}.pollIntervalSeconds`,
    allowed: /from 0.05 to 60/,
  },
  {
    name: 'pollIntervalSeconds a string',
    input: withParams((tp) => (tp.pollIntervalSeconds = '2')),
    path: `${T}.pollIntervalSeconds`,
    value: '2',
    allowed: /pollIntervalSeconds: from 0.05 to 60/,
  },
  {
    name: 'instancesPerCall 1.5',
    input: withParams((tp) => (tp.instancesPerCall = 1.5)),
    path: `${T}.instancesPerCall`,
    allowed: /instancesPerCall: an integer from 1 to 100/,
  },
  {
    name: 'templateParameters.rateControl Concurrency over the cap',
    input: withParams((tp) => (tp.rateControl = { Mode: 'Concurrency', Concurrency: 10_000_000 })),
    path: `${T}.rateControl.Concurrency`,
    value: 10_000_000,
    allowed: /an integer from 1 to 1000000/,
  },
  {
    name: 'outputMaxBytes over 24 KB',
    input: withParams((tp) => (tp.outputMaxBytes = 30_000)),
    path: `${T}.outputMaxBytes`,
    allowed: /an integer from 0 to 24576/,
  },
  {
    name: 'stopOnMaxErrors a string',
    input: withParams((tp) => (tp.stopOnMaxErrors = 'yes')),
    path: `${T}.stopOnMaxErrors`,
    allowed: /true or false/,
  },
  // --- reporting
  {
    name: 'the same mistake in every location is reported once',
    input: withParams((tp) => (tp.timeout = 0)),
    path: `${T}.timeout`,
    allowed: /an integer from 1 to 86400/,
    count: 1,
  },
  {
    name: 'several mistakes are all reported, in input order',
    input: (s) => {
      s.rateControl.Concurrency = 0;
      s.templateParameters.commandType = 'Bash';
      s.templateParameters.timeout = 0;
    },
    path: 'rateControl.Concurrency',
    allowed: /an integer from 1 to 1000000/,
    count: 1, // the parent's own fields are checked first; the children only once they are well-formed
  },
];

for (const c of badCases) {
  test(`rejects: ${c.name}`, () => {
    const s = seed();
    const returned = c.input(s);
    const raw = returned === undefined ? s : returned;
    const problems = problemsOf(() => validateMultiAccountInput(raw));
    const first = problems[0]!;
    assert.equal(first.path, c.path, JSON.stringify(problems, null, 1).slice(0, 2000));
    assert.match(first.allowed, c.allowed);
    if ('value' in c) assert.deepEqual(first.value, c.value);
    if (c.count !== undefined) assert.equal(problems.length, c.count, JSON.stringify(problems).slice(0, 2000));
    for (const p of problems) {
      assert.equal(typeof p.path, 'string');
      assert.ok(p.allowed.length > 0);
    }
  });
}

test('rejects: child mistakes are all listed together', () => {
  const s = seed();
  s.templateParameters.commandType = 'Bash';
  s.templateParameters.timeout = 0;
  s.templateParameters.targets.RegionId = 'cn-hangzhou';
  const problems = problemsOf(() => validateMultiAccountInput(s));
  assert.deepEqual(
    problems.map((p) => p.path),
    [`${T}.commandType`, `${T}.timeout`],
    'schema problems first; the region check runs once the schema passes',
  );
});

// ---------------------------------------------------------------------------------------------------
// validateBulkyInput: the child started on its own (e.g. by another service), paths without a prefix.
const bulky = (): Obj => ({
  regionId: 'cn-shanghai',
  OOSAssumeRole: 'OOSServiceRole|654321/OOSServiceRole',
  commandType: 'RunShellScript',
  commandContent: 'echo hello',
  targets: { Type: 'ResourceIds', ResourceIds: ['i-1', 'i-2'] },
});
const bulkyBad: { name: string; change: (b: Obj) => void; path: string; allowed: RegExp }[] = [
  {
    name: 'regionId missing',
    change: (b) => delete b.regionId,
    path: 'regionId',
    allowed: /a region id such as "cn-shanghai"/,
  },
  {
    name: 'bad role chain',
    change: (b) => (b.OOSAssumeRole = 'x||y'),
    path: 'OOSAssumeRole',
    allowed: /hop 2 is empty/,
  },
  {
    name: 'role chain not a string',
    change: (b) => (b.OOSAssumeRole = 5),
    path: 'OOSAssumeRole',
    allowed: /a role chain string/,
  },
  {
    name: 'targets region mismatch',
    change: (b) => (b.targets.RegionId = 'cn-beijing'),
    path: 'targets.RegionId',
    allowed: /the location's region "cn-shanghai"/,
  },
  { name: 'unknown key', change: (b) => (b.Timeout = 10), path: 'Timeout', allowed: /a known key: regionId/ },
  {
    name: 'unsubstituted {{regionId}} (the child substitutes nothing)',
    change: (b) => (b.targets.RegionId = '{{regionId}}'),
    path: 'targets.RegionId',
    allowed: /a region id such as "cn-shanghai"/,
  },
];
for (const c of bulkyBad) {
  test(`validateBulkyInput rejects: ${c.name}`, () => {
    const b = bulky();
    c.change(b);
    const problems = problemsOf(() => validateBulkyInput(b));
    assert.equal(problems[0]!.path, c.path);
    assert.match(problems[0]!.allowed, c.allowed);
  });
}

test('validateBulkyInput fills the defaults', () => {
  assert.deepEqual(validateBulkyInput(bulky()), {
    ...bulky(),
    workingDir: '',
    windowsPasswordName: '',
    username: '',
    timeout: 600,
    enableParameter: false,
    parameters: {},
    stopOnMaxErrors: false,
    instancesPerCall: 100,
    pollIntervalSeconds: 2,
    outputMaxBytes: 2048,
    continueAsNewAfterEvents: 0,
    returnInstances: true,
  });
});

// ---------------------------------------------------------------------------------------------------
// Valid inputs and the plan they give.

const seedChild = (regionId: string) => ({
  commandType: 'RunShellScript',
  commandContent: 'echo hello',
  workingDir: '',
  windowsPasswordName: '',
  rateControl: { MaxErrors: 0, Concurrency: 10, Mode: 'Concurrency' },
  enableParameter: false,
  targets: { Type: 'All', Parameters: { Status: 'Running', RegionId: regionId }, RegionId: regionId },
  timeout: 600,
  username: '',
  regionId,
  OOSAssumeRole: 'OOSServiceRole|654321/OOSServiceRole',
  // The parent keeps counts only; the child's full result is its `result` query.
  returnInstances: false,
});

test('accepts: the seed input, two locations in account 654321', () => {
  const plan = validateMultiAccountInput(seed());
  assert.deepEqual(plan.locations, [
    {
      index: 0,
      accountId: '654321',
      regionId: 'cn-shanghai',
      roleChain: 'OOSServiceRole|654321/OOSServiceRole',
      workflowType: 'bulkyRunCommand',
      childInput: seedChild('cn-shanghai'),
    },
    {
      index: 1,
      accountId: '654321',
      regionId: 'cn-beijing',
      roleChain: 'OOSServiceRole|654321/OOSServiceRole',
      workflowType: 'bulkyRunCommand',
      childInput: seedChild('cn-beijing'),
    },
  ]);
  assert.equal(plan.params.templateName, 'ACS-ECS-BulkyRunCommand');
  assert.equal(plan.params.OOSAssumeRole, 'OOSServiceRole');
  assert.deepEqual(plan.params.rateControl, { Mode: 'Concurrency', MaxErrors: 0, Concurrency: 10 });
  // Each child input is itself valid, and gets its defaults there.
  const child = validateBulkyInput(plan.locations[1]!.childInput);
  assert.equal(child.timeout, 600);
  assert.equal(child.instancesPerCall, 100);
  assert.equal(child.pollIntervalSeconds, 2);
  assert.equal(child.outputMaxBytes, 2048);
  assert.equal(child.stopOnMaxErrors, false);
  assert.deepEqual(child.parameters, {});
  assert.equal(child.regionId, 'cn-beijing');
});

interface GoodCase {
  name: string;
  input: (s: Obj) => unknown;
  expected: { accountId: string; regionId: string; roleChain: string; workflowType: string }[];
  /** Checks on the first location's childInput. */
  child?: Obj;
  params?: Obj;
}
/** The seed's two locations, as most accepted inputs plan them. */
const SEED_LOCATIONS: GoodCase['expected'] = ['cn-shanghai', 'cn-beijing'].map((regionId) => ({
  accountId: '654321',
  regionId,
  roleChain: 'OOSServiceRole|654321/OOSServiceRole',
  workflowType: 'bulkyRunCommand',
}));
const goodCases: GoodCase[] = [
  {
    name: '{{ regionId }} with spaces, and {{OOSAssumeRole}}',
    input: withParams((tp) => {
      tp.targets = { Type: 'All', Parameters: { RegionId: '{{ regionId }}' }, RegionId: '{{ regionId}}' };
      tp.commandContent = 'echo {{regionId}} {{OOSAssumeRole}}';
    }),
    expected: SEED_LOCATIONS,
    child: {
      targets: { Type: 'All', Parameters: { RegionId: 'cn-shanghai' }, RegionId: 'cn-shanghai' },
      commandContent: 'echo cn-shanghai OOSServiceRole|654321/OOSServiceRole',
    },
  },
  {
    name: 'minimal input: defaults for templateName, OOSAssumeRole',
    input: () => ({
      accountRoleAndRegions: [{ RegionId: 'cn-hangzhou' }],
      templateParameters: { commandType: 'RunShellScript', commandContent: 'uptime', targets: { Type: 'All' } },
    }),
    expected: [
      { accountId: 'self', regionId: 'cn-hangzhou', roleChain: 'OOSServiceRole', workflowType: 'bulkyRunCommand' },
    ],
    child: { regionId: 'cn-hangzhou', OOSAssumeRole: 'OOSServiceRole' },
    params: { templateName: 'ACS-ECS-BulkyRunCommand', OOSAssumeRole: 'OOSServiceRole', rateControl: undefined },
  },
  {
    name: "ARN chains and a leading '|' canonicalised",
    input: (s) => {
      s.OOSAssumeRole = 'acs:ram::123456:role/Hub';
      s.accountRoleAndRegions = [
        { OOSAssumeRole: '|654321/OOSServiceRole', RegionId: 'cn-shanghai' },
        { OOSAssumeRole: 'acs:ram::123456:role/Hub|acs:ram::777777:role/Ops', RegionId: 'cn-shanghai' },
        { RegionId: 'cn-beijing' },
      ];
    },
    expected: [
      {
        accountId: '654321',
        regionId: 'cn-shanghai',
        roleChain: '123456/Hub|654321/OOSServiceRole',
        workflowType: 'bulkyRunCommand',
      },
      {
        accountId: '777777',
        regionId: 'cn-shanghai',
        roleChain: '123456/Hub|777777/Ops',
        workflowType: 'bulkyRunCommand',
      },
      { accountId: '123456', regionId: 'cn-beijing', roleChain: '123456/Hub', workflowType: 'bulkyRunCommand' },
    ],
    child: { OOSAssumeRole: '123456/Hub|654321/OOSServiceRole' },
  },
  {
    name: 'empty chain: the worker identity',
    input: (s) => void (s.accountRoleAndRegions = [{ OOSAssumeRole: '', RegionId: 'cn-shanghai' }]),
    expected: [{ accountId: 'self', regionId: 'cn-shanghai', roleChain: '', workflowType: 'bulkyRunCommand' }],
  },
  {
    name: 'templateName bulkyRunCommand is the built-in child too',
    input: (s) => void (s.templateName = 'bulkyRunCommand'),
    expected: SEED_LOCATIONS,
  },
  {
    name: 'another templateName: generic fan-out, parameters passed through substituted',
    input: () => ({
      accountRoleAndRegions: [{ OOSAssumeRole: '111/Ops', RegionId: 'eu-central-1' }],
      templateName: 'patchFleet',
      templateTaskQueue: 'patching',
      templateParameters: { anything: ['{{regionId}}', 5], Note: '{{ OOSAssumeRole }}' },
    }),
    expected: [{ accountId: '111', regionId: 'eu-central-1', roleChain: '111/Ops', workflowType: 'patchFleet' }],
    child: { anything: ['eu-central-1', 5], Note: '111/Ops', regionId: 'eu-central-1', OOSAssumeRole: '111/Ops' },
    params: { templateTaskQueue: 'patching' },
  },
  {
    name: 'commandContent exactly at the byte limit, 10 parameters, built-in placeholders',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, i % 2 === 0 ? `v${i}` : i]));
      const head = 'echo {{p0}} {{ p9 }} {{ACS::InstanceId}} {{ACS::RegionId}} #';
      tp.commandContent = head + 'x'.repeat(MAX_COMMAND_BYTES - head.length);
    }),
    expected: SEED_LOCATIONS,
  },
  {
    name: 'Batch rate controls with percentages at both levels',
    input: (s) => {
      s.rateControl = { Mode: 'Batch', Batch: [1, '50%'], BatchPauseOption: 'FirstBatchPause', MaxErrors: '100%' };
      s.templateParameters.rateControl = { Mode: 'Batch', Batch: ['10%'], ConcurrencyInBatches: [5], MaxErrors: '0%' };
    },
    expected: SEED_LOCATIONS,
  },
  {
    name: 'the same region in two accounts is not a duplicate',
    input: (s) =>
      void (s.accountRoleAndRegions[1] = {
        OOSAssumeRole: 'OOSServiceRole|111111/OOSServiceRole',
        RegionId: 'cn-shanghai',
      }),
    expected: [
      {
        accountId: '654321',
        regionId: 'cn-shanghai',
        roleChain: 'OOSServiceRole|654321/OOSServiceRole',
        workflowType: 'bulkyRunCommand',
      },
      {
        accountId: '111111',
        regionId: 'cn-shanghai',
        roleChain: 'OOSServiceRole|111111/OOSServiceRole',
        workflowType: 'bulkyRunCommand',
      },
    ],
  },
  {
    name: 'every target type',
    input: withParams(
      (tp) => (tp.targets = { Type: 'ResourceGroup', ResourceGroupId: 'rg-acfm123', RegionId: '{{regionId}}' }),
    ),
    expected: SEED_LOCATIONS,
    child: { targets: { Type: 'ResourceGroup', ResourceGroupId: 'rg-acfm123', RegionId: 'cn-shanghai' } },
  },
  {
    name: 'placeholders match parameters and built-ins case-insensitively, as Cloud Assistant does',
    input: withParams((tp) => {
      tp.enableParameter = true;
      tp.parameters = { Name: 'world' };
      tp.commandContent = 'echo {{name}} {{NAME}} {{acs::instanceid}}';
    }),
    expected: SEED_LOCATIONS,
    child: { commandContent: 'echo {{name}} {{NAME}} {{acs::instanceid}}', parameters: { Name: 'world' } },
  },
];
for (const c of goodCases) {
  test(`accepts: ${c.name}`, () => {
    const s = seed();
    const returned = c.input(s);
    const plan = validateMultiAccountInput(returned === undefined ? s : returned);
    assert.deepEqual(
      plan.locations.map(({ accountId, regionId, roleChain, workflowType }) => ({
        accountId,
        regionId,
        roleChain,
        workflowType,
      })),
      c.expected,
    );
    assert.deepEqual(
      plan.locations.map((l) => l.index),
      c.expected.map((_, i) => i),
    );
    for (const [k, v] of Object.entries(c.child ?? {})) {
      assert.deepEqual(plan.locations[0]!.childInput[k], v, `childInput.${k}`);
    }
    for (const [k, v] of Object.entries(c.params ?? {})) {
      assert.deepEqual((plan.params as Obj)[k], v, `params.${k}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Fuzz: random JSON values and mutations of the seed either validate or throw InputValidationError,
// never anything else, and each answers quickly.

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  ' ',
  'cn-shanghai',
  'cn-beijing',
  'Shanghai',
  '{{regionId}}',
  '{{ OOSAssumeRole }}',
  '{{constructor}}',
  '{{__proto__}}',
  '{{ACS::InstanceId}}',
  'OOSServiceRole',
  'OOSServiceRole|654321/OOSServiceRole',
  '|654321/OOSServiceRole',
  'a||b',
  '654321/',
  'acs:ram::1:role/x',
  '10%',
  '150%',
  '0%',
  '12.5%',
  '-1',
  '1e3',
  'abc',
  'Concurrency',
  'Batch',
  'All',
  'Tags',
  'ResourceIds',
  'RunShellScript',
  'i-1',
  'rg-1',
  'é中😀',
  '\u0000',
  'x'.repeat(300),
  'y'.repeat(17_000),
];
const KEYS = [
  'accountRoleAndRegions',
  'templateName',
  'templateParameters',
  'rateControl',
  'OOSAssumeRole',
  'RegionId',
  'Mode',
  'Concurrency',
  'MaxErrors',
  'Batch',
  'commandType',
  'commandContent',
  'targets',
  'Type',
  'Parameters',
  'ResourceIds',
  'Tags',
  'Key',
  'Value',
  'parameters',
  'enableParameter',
  'timeout',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  'x',
];
const NUMBERS = [0, 1, -1, 1.5, 10, 100, 101, 86_400, 86_401, 1e6, 1e21, -0, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2];

function randomJson(rand: () => number, depth: number): Json {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (depth <= 0 || r < 0.45) {
    const k = rand();
    if (k < 0.1) return null;
    if (k < 0.2) return rand() < 0.5;
    if (k < 0.5) return rand() < 0.7 ? pick(NUMBERS) : (rand() - 0.5) * 10 ** Math.floor(rand() * 8);
    return rand() < 0.85
      ? pick(STRINGS)
      : String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 12) }, () => 32 + Math.floor(rand() * 95)));
  }
  if (r < 0.7) return Array.from({ length: Math.floor(rand() * 5) }, () => randomJson(rand, depth - 1));
  // Object.fromEntries makes own properties even for '__proto__', as JSON.parse does.
  return Object.fromEntries(
    Array.from({ length: Math.floor(rand() * 6) }, () => [pick(KEYS), randomJson(rand, depth - 1)] as [string, Json]),
  );
}

/** All paths to values inside `v`. */
function pathsOf(v: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...path, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...path, k], out);
  return out;
}

function mutateSeed(rand: () => number): Json {
  const root = seed() as Json;
  const changes = 1 + Math.floor(rand() * 3);
  let current: Json = root;
  for (let n = 0; n < changes; n++) {
    const paths = pathsOf(current);
    const path = paths[Math.floor(rand() * paths.length)]!;
    if (path.length === 0) {
      current = randomJson(rand, 3);
      continue;
    }
    const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, current);
    const key = path[path.length - 1]!;
    const holder = parent as Record<string | number, Json>;
    const what = rand();
    if (what < 0.6) holder[key] = randomJson(rand, 3);
    else if (what < 0.8 && !Array.isArray(parent)) delete holder[key];
    else if (!Array.isArray(parent))
      Object.defineProperty(holder, KEYS[Math.floor(rand() * KEYS.length)]!, {
        value: randomJson(rand, 2),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    else parent.push(randomJson(rand, 2));
  }
  return current;
}

test('fuzz: 2,000 random and mutated inputs either validate or throw InputValidationError', () => {
  const rand = prng(20_240_601);
  const started = Date.now();
  let accepted = 0;
  let rejected = 0;
  let slowest = 0;
  for (let i = 0; i < 2_000; i++) {
    const candidate = i % 2 === 0 ? randomJson(rand, 5) : mutateSeed(rand);
    // Inputs arrive as JSON payloads: a round trip keeps the test honest (and drops -0).
    const input: unknown = JSON.parse(JSON.stringify(candidate) ?? 'null');
    const t0 = performance.now();
    try {
      validateMultiAccountInput(input);
      accepted++;
    } catch (e) {
      if (!(e instanceof InputValidationError)) {
        assert.fail(`case ${i}: ${String(e)}\ninput: ${JSON.stringify(input).slice(0, 1000)}`);
      }
      assert.ok(e.problems.length > 0, `case ${i}: no problems listed`);
      for (const p of e.problems) {
        assert.equal(typeof p.path, 'string', `case ${i}`);
        assert.ok(typeof p.allowed === 'string' && p.allowed.length > 0, `case ${i}: empty allowed`);
      }
      rejected++;
    }
    const took = performance.now() - t0;
    slowest = Math.max(slowest, took);
    assert.ok(took < 1_000, `case ${i} took ${Math.round(took)} ms`);
  }
  const total = Date.now() - started;
  assert.equal(accepted + rejected, 2_000);
  assert.ok(accepted > 0, 'some mutations of the seed stay valid');
  assert.ok(rejected > 1_000, 'most random inputs are refused');
  assert.ok(total < 10_000, `the whole fuzz loop took ${total} ms (slowest case ${Math.round(slowest)} ms)`);
});
