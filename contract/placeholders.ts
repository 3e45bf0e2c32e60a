// `{{name}}` / `{{ name }}` substitution inside templateParameters (OOS Fn::MergeMap + rendering). Workflow-safe.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_:-]+)\s*\}\}/g;

/** Replaces `{{key}}` for each key of `values` in every string inside `value`, recursively. */
export function substitute(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
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
