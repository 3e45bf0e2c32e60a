// Validation of both workflows' inputs, before any cloud call. Every problem names the field, the value
// given and what is allowed. Workflow-safe.
import type { z } from 'zod';
import { describeProblems, type InputProblem } from './errors';
import {
  BULKY_TEMPLATE_NAME,
  BULKY_WORKFLOW_TYPE,
  MAX_COMMAND_BYTES,
  MAX_PARAMETERS,
  bulkyRunCommandInputSchema,
  multiAccountExecuteInputSchema,
  type BulkyRunCommandParams,
  type MultiAccountExecuteParams,
} from './input';
import { BUILTIN_PARAMETERS, placeholdersIn, substitute } from './placeholders';
import { jsonBytes, utf8Length } from './utf8';
import { RoleChainError, chainAccountId, formatRoleChain, parseRoleChain } from './roleChain';

export class InputValidationError extends Error {
  override name = 'InputValidationError';
  constructor(readonly problems: InputProblem[]) {
    super(`invalid input:\n${describeProblems(problems)}`);
  }
}

function pathText(path: readonly PropertyKey[], prefix: string): string {
  let out = prefix;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function zodProblems(error: z.ZodError, raw: unknown, prefix: string): InputProblem[] {
  return error.issues.flatMap((issue) => {
    // An unknown key is reported at the key itself, with its value (zod reports it at the enclosing object).
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: pathText([...issue.path, key], prefix),
        value: valueAt(raw, [...issue.path, key]),
        allowed: issue.message,
      }));
    }
    // A bad record key: zod says "Invalid key in record"; the key schema's own message says what is allowed.
    if (issue.code === 'invalid_key') {
      const allowed = issue.issues[0]?.message ?? issue.message;
      return [{ path: pathText(issue.path, prefix), value: issue.path.at(-1), allowed }];
    }
    return [{ path: pathText(issue.path, prefix), value: valueAt(raw, issue.path), allowed: issue.message }];
  });
}

/** Message of an unknown key: the keys the object does allow (zod only names the unknown one). */
const unknownKeyError: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape ? `a known key: ${Object.keys(shape).join(', ')}` : undefined;
};

function parseWith<T>(schema: z.ZodType<T>, raw: unknown, prefix: string): { value?: T; problems: InputProblem[] } {
  const result = schema.safeParse(raw, { error: unknownKeyError });
  return result.success ? { value: result.data, problems: [] } : { problems: zodProblems(result.error, raw, prefix) };
}

/** Checks the child's input; returns it with defaults filled in, or the list of problems. */
export function checkBulkyInput(
  raw: unknown,
  prefix = '',
): { params?: BulkyRunCommandParams; problems: InputProblem[] } {
  const { value: params, problems } = parseWith(bulkyRunCommandInputSchema, raw, prefix);
  if (!params) return { problems };
  const at = (field: string) => (prefix === '' ? field : `${prefix}.${field}`);

  try {
    parseRoleChain(params.OOSAssumeRole);
  } catch (e) {
    if (!(e instanceof RoleChainError)) throw e;
    problems.push({ path: at('OOSAssumeRole'), value: params.OOSAssumeRole, allowed: e.message });
  }
  const bytes = utf8Length(params.commandContent);
  if (bytes > MAX_COMMAND_BYTES) {
    problems.push({
      path: at('commandContent'),
      value: `${bytes} bytes`,
      allowed: `at most ${MAX_COMMAND_BYTES} bytes (OOS limit; the cloud allows 24 KB after base64)`,
    });
  }
  const names = Object.keys(params.parameters);
  if (names.length > MAX_PARAMETERS) {
    problems.push({
      path: at('parameters'),
      value: `${names.length} parameters`,
      allowed: `at most ${MAX_PARAMETERS}`,
    });
  }
  if (!params.enableParameter && names.length > 0) {
    problems.push({
      path: at('parameters'),
      value: params.parameters,
      allowed: 'no parameters unless enableParameter is true (the cloud answers Parameter.Disabled)',
    });
  }
  if (params.enableParameter) {
    // Cloud Assistant matches placeholders to parameters case-insensitively, built-ins too.
    const known = new Set<string>([...names, ...BUILTIN_PARAMETERS].map((n) => n.toLowerCase()));
    for (const name of placeholdersIn(params.commandContent)) {
      if (!known.has(name.toLowerCase())) {
        problems.push({
          path: at('commandContent'),
          value: `{{${name}}}`,
          allowed: `placeholders naming a key of parameters (${names.join(', ') || 'none given'}) or a built-in (${BUILTIN_PARAMETERS.join(', ')})`,
        });
      }
    }
  }
  const regions: [string, string | undefined][] = [
    ['targets.RegionId', params.targets.RegionId],
    ['targets.Parameters.RegionId', params.targets.Type === 'All' ? params.targets.Parameters?.RegionId : undefined],
  ];
  for (const [field, region] of regions) {
    if (region !== undefined && region !== params.regionId) {
      problems.push({
        path: at(field),
        value: region,
        allowed: `the location's region "${params.regionId}" (or {{regionId}})`,
      });
    }
  }
  const { commandContent: _script, continuation: _carried, ...rest } = params;
  for (const [field, name] of placeholdersLeft(rest, [])) {
    problems.push({
      path: pathText(field, prefix),
      value: `{{${name}}}`,
      allowed: 'only {{regionId}} and {{OOSAssumeRole}} are substituted outside commandContent',
    });
  }
  return problems.length === 0 ? { params, problems } : { problems };
}

/** Placeholders left in strings, each with the path of the string that holds it. */
function placeholdersLeft(value: unknown, path: PropertyKey[]): [PropertyKey[], string][] {
  if (typeof value === 'string') return placeholdersIn(value).map((name) => [path, name]);
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholdersLeft(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => placeholdersLeft(v, [...path, k]));
  }
  return [];
}

export function validateBulkyInput(raw: unknown): BulkyRunCommandParams {
  const { params, problems } = checkBulkyInput(raw);
  if (!params) throw new InputValidationError(problems);
  return params;
}

/** One account/region of the parent: which child runs there, with which input. */
export interface LocationPlan {
  index: number;
  accountId: string;
  regionId: string;
  roleChain: string;
  /** Workflow type of the child. */
  workflowType: string;
  childInput: Record<string, unknown>;
}

export interface ParentPlan {
  params: MultiAccountExecuteParams;
  locations: LocationPlan[];
}

/** Checks the parent's input and every location's child input (for the built-in child). */
export function validateMultiAccountInput(raw: unknown): ParentPlan {
  const { value: params, problems } = parseWith(multiAccountExecuteInputSchema, raw, '');
  if (!params) throw new InputValidationError(problems);

  if ('returnInstances' in params.templateParameters) {
    problems.push({
      path: 'templateParameters.returnInstances',
      value: params.templateParameters.returnInstances,
      allowed:
        "nothing: the parent's children return counts only (their results would fill the parent's history); read each child's result query",
    });
  }
  if ('continuation' in params.templateParameters) {
    problems.push({
      path: 'templateParameters.continuation',
      value: params.templateParameters.continuation,
      allowed: 'nothing: continuation is internal state written by continue-as-new',
    });
  }
  // The parent's history records each child's input: keep their sum well under the 50 MB history limit.
  // Checked before the per-location work, which would be slow on such an input.
  const childBytes = params.accountRoleAndRegions.length * jsonBytes(params.templateParameters);
  if (childBytes > MAX_CHILD_INPUT_BYTES) {
    throw new InputValidationError([
      ...problems,
      {
        path: 'templateParameters',
        value: `${params.accountRoleAndRegions.length} locations × ${Math.round(childBytes / params.accountRoleAndRegions.length / 1024)} KB each`,
        allowed: CHILD_INPUTS_ALLOWED,
      },
    ]);
  }
  const isBulky = params.templateName === BULKY_TEMPLATE_NAME || params.templateName === BULKY_WORKFLOW_TYPE;
  const workflowType = isBulky ? BULKY_WORKFLOW_TYPE : params.templateName;
  const seen = new Map<string, number>();
  const reported = new Set<string>();
  const locations: LocationPlan[] = [];

  params.accountRoleAndRegions.forEach((item, index) => {
    const where = `accountRoleAndRegions[${index}]`;
    const chainText = item.OOSAssumeRole ?? params.OOSAssumeRole;
    let roleChain: string;
    let accountId: string;
    try {
      const hops = parseRoleChain(chainText, params.OOSAssumeRole);
      roleChain = formatRoleChain(hops);
      accountId = chainAccountId(hops);
    } catch (e) {
      if (!(e instanceof RoleChainError)) throw e;
      problems.push({ path: `${where}.OOSAssumeRole`, value: chainText, allowed: e.message });
      return;
    }
    const key = `${accountId}/${item.RegionId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        path: where,
        value: item,
        allowed: `each account/region once; account ${accountId} region ${item.RegionId} is already item ${first}`,
      });
      return;
    }
    seen.set(key, index);

    const values = { regionId: item.RegionId, OOSAssumeRole: roleChain };
    const childInput = substitute({ ...params.templateParameters, ...values }, values) as Record<string, unknown>;
    if (isBulky) {
      const check = checkBulkyInput(childInput, `${where} → templateParameters`);
      // The same mistake in every location is reported once.
      for (const p of check.problems) {
        const dedupe = `${p.path.replace(/^accountRoleAndRegions\[\d+\]/, '')}|${p.allowed}`;
        if (!reported.has(dedupe)) {
          reported.add(dedupe);
          problems.push(p);
        }
      }
      // The parent keeps only counts; each child's full result stays with the child (its `result` query).
      childInput.returnInstances = false;
    }
    locations.push({ index, accountId, regionId: item.RegionId, roleChain, workflowType, childInput });
  });

  // Exactly, after substitution ({{OOSAssumeRole}} can be long).
  const substitutedBytes = locations.reduce((sum, l) => sum + jsonBytes(l.childInput), 0);
  if (substitutedBytes > MAX_CHILD_INPUT_BYTES) {
    problems.push({
      path: 'templateParameters',
      value: `${locations.length} locations, ${Math.round(substitutedBytes / 1024 / 1024)} MB of children's inputs`,
      allowed: CHILD_INPUTS_ALLOWED,
    });
  }
  if (problems.length > 0) throw new InputValidationError(problems);
  return { params, locations };
}

/** What all children's inputs may add to the parent's history together (Temporal fails a history at 50 MB). */
export const MAX_CHILD_INPUT_BYTES = 32 * 1024 * 1024;
const CHILD_INPUTS_ALLOWED =
  `children's inputs totalling at most ${MAX_CHILD_INPUT_BYTES / 1024 / 1024} MB of UTF-8 (the parent's history holds each): ` +
  'select instances with Tags or ResourceGroup instead of long ResourceIds lists, or split the run';
