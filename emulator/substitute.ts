// Command parameters: `{{name}}` placeholders (names case-insensitive) and the ACS:: built-ins.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_:-]+)\s*\}\}/g;

export const BUILTINS = ['InstanceId', 'RegionId', 'AccountId', 'InstanceName', 'InvokeId', 'CommandId'] as const;
export type Builtins = Record<(typeof BUILTINS)[number], string>;

/** Custom (non ACS::) placeholder names used by a script, lowercased. */
export function customPlaceholders(content: string): Set<string> {
  const names = new Set<string>();
  for (const m of content.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!name.toLowerCase().startsWith('acs::')) names.add(name.toLowerCase());
  }
  return names;
}

/** Replaces placeholders; unknown ACS:: names are left as written. */
export function substitute(content: string, params: Record<string, string>, builtins: Builtins): string {
  const lower = new Map(Object.entries(params).map(([k, v]) => [k.toLowerCase(), v]));
  const acs = new Map(Object.entries(builtins).map(([k, v]) => [`acs::${k.toLowerCase()}`, v]));
  return content.replace(PLACEHOLDER, (whole, name: string) => {
    const key = name.toLowerCase();
    return (key.startsWith('acs::') ? acs.get(key) : lower.get(key)) ?? whole;
  });
}
