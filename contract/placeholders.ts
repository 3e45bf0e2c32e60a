// `{{name}}` / `{{ name }}` substitution inside templateParameters (OOS Fn::MergeMap + rendering). Workflow-safe.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_:-]+)\s*\}\}/g;
/** Nesting no valid input reaches (templateParameters are flat but for targets and rateControl). */
const MAX_DEPTH = 32;

/** Replaces `{{key}}` for each key of `values` in every string inside `value`, recursively. */
export function substitute(value: unknown, values: Record<string, string>, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
  }
  // No valid input nests this deep; past it, values are left as they are (validation refuses them) rather
  // than recursing into thousands of levels of hostile JSON.
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, values, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values, depth + 1)]));
  }
  return value;
}

/** Names of the placeholders left in a string. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Cloud Assistant's built-in parameters, filled in by the cloud per instance. */
export const BUILTIN_PARAMETERS = [
  'ACS::RegionId',
  'ACS::AccountId',
  'ACS::InstanceId',
  'ACS::InstanceName',
  'ACS::InvokeId',
  'ACS::CommandId',
] as const;
