// Workflow histories as the real Temporal CLI prints them (`temporal workflow show --output json`), and a
// search for secrets that also looks inside payloads (base64 in the JSON, possibly nested).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../../scripts/devServer';

const run = promisify(execFile);

/** Runs the Temporal CLI; returns stdout. */
export async function temporalCli(args: string[]): Promise<string> {
  const { stdout } = await run(resolveTemporalCli(), args, { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  return stdout;
}

export interface Execution {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
}

/** Every execution (all runs, continued-as-new ones too) whose task queue is `taskQueue`. */
export async function executionsOn(address: string, taskQueue: string): Promise<Execution[]> {
  const out = await temporalCli([
    'workflow',
    'list',
    '--query',
    `TaskQueue="${taskQueue}"`,
    '--output',
    'json',
    '--address',
    address,
  ]);
  const rows = JSON.parse(out || '[]') as {
    execution: { workflowId: string; runId: string };
    type: { name: string };
    status: string;
  }[];
  return rows.map((r) => ({
    workflowId: r.execution.workflowId,
    runId: r.execution.runId,
    type: r.type.name,
    status: r.status,
  }));
}

/** `temporal workflow show --output json` of one run (extra args e.g. --codec-endpoint URL). */
export function historyJson(address: string, e: { workflowId: string; runId?: string }, extra: string[] = []) {
  return temporalCli([
    'workflow',
    'show',
    '--workflow-id',
    e.workflowId,
    ...(e.runId ? ['--run-id', e.runId] : []),
    '--output',
    'json',
    '--address',
    address,
    ...extra,
  ]);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The text plus everything hidden in it as base64 (payload data and metadata, and base64 inside those),
 * decoded, so a search sees what a payload really holds.
 */
export function searchableText(text: string): string {
  const parts: string[] = [text];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      parts.push(value); // unescaped: JSON text has "\n" where the value has a newline
      if (depth > 4 || value.length < 8 || !BASE64.test(value)) return;
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      parts.push(decoded);
      try {
        visit(JSON.parse(decoded), depth + 1);
      } catch {
        visit(decoded, depth + 1);
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, depth);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) visit(v, depth);
    }
  };
  try {
    visit(JSON.parse(text), 0);
  } catch {
    // not JSON (a log): search it as is, and every base64-looking word in it (also after `key=` or `key:`)
    for (const word of text.split(/[\s"',;()[\]{}]+/)) {
      visit(word, 0);
      const m = /^[\w.-]+[=:](.+)$/.exec(word);
      if (m) visit(m[1], 0);
    }
  }
  return parts.join('\n');
}

/**
 * Which of the secrets occur in the text: the whole value, or its first 16 characters (a truncated leak).
 * Returns their labels.
 */
export function leaked(text: string, secrets: { label: string; value: string }[]): string[] {
  return secrets
    .filter(({ value }) => text.includes(value) || (value.length > 16 && text.includes(value.slice(0, 16))))
    .map(({ label }) => label);
}

/** Every Payload object ({metadata, data}) in a history JSON. */
export function payloadsIn(historyText: string): { metadata: Record<string, string>; data?: string }[] {
  const found: { metadata: Record<string, string>; data?: string }[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata) {
        found.push(o as { metadata: Record<string, string>; data?: string });
      } else Object.values(o).forEach(visit);
    }
  };
  visit(JSON.parse(historyText));
  return found;
}
