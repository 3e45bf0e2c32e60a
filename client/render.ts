// Human-readable output of the CLI: a summary line, one block per location, one line per instance.
import type { ChildProgress, ParentProgress } from '../contract/progress';
import { allInstances } from '../contract/instanceRoster';
import type { Counts } from '../contract/results';
import type { RunOutcome } from './api';
import type { LocationReport } from './report';

export function formatCounts(c: Counts): string {
  return `${c.total} total, ${c.success} success, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled`;
}

function firstLine(text: string, max = 60): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function renderOutcome(
  workflowId: string,
  outcome: RunOutcome,
  reports: LocationReport[],
  showAll: boolean,
): string {
  const lines: string[] = [];
  const result = outcome.result;
  const status = outcome.kind === 'completed' ? outcome.result.status : `${outcome.type}`;
  lines.push(`run ${workflowId}: ${status}`);
  if (outcome.kind === 'failed') lines.push(`  ${outcome.message.split('\n').join('\n  ')}`);
  if (result) {
    lines.push(`  locations: ${formatCounts(result.counts)}`);
    lines.push(`  instances: ${formatCounts(result.instanceCounts)}`);
  }
  for (const report of reports) lines.push('', ...renderLocation(report, showAll));
  return lines.join('\n');
}

/** `status` of an execution that has ended: how it ended, not its last progress (which stops moving). */
export function renderEnded(workflowId: string, executionStatus: string, outcome: RunOutcome): string {
  const how = outcome.kind === 'completed' ? outcome.result.status : outcome.type;
  const lines = [`${workflowId}: ended (${executionStatus}): ${how}`];
  if (outcome.kind === 'failed') lines.push(`  ${outcome.message.split('\n').join('\n  ')}`);
  // A run refused as bad input ran on no instance: there is nothing more to read.
  if (!(outcome.kind === 'failed' && outcome.problems)) lines.push(`  per-instance results: result ${workflowId}`);
  return lines.join('\n');
}

/** `result` on one location's child workflow id. */
export function renderChildOutcome(workflowId: string, report: LocationReport, showAll: boolean): string {
  return [`run ${workflowId}: ${report.location.status}`, '', ...renderLocation(report, showAll)].join('\n');
}

/** One location: its line, its error, then one line per instance (the first 50 unless showAll). */
function renderLocation({ location, child, unavailable }: LocationReport, showAll: boolean): string[] {
  const lines: string[] = [];
  const limit = showAll ? Infinity : 50;
  const where = location.accountId ? `account ${location.accountId}  region ${location.regionId}` : location.workflowId;
  lines.push(`${where}  ${location.status}  (${formatCounts(location.counts)})`);
  if (location.error) lines.push(`  error: ${location.error.split('\n').join('\n         ')}`);
  if (unavailable) lines.push(`  ${unavailable}`);
  // Success over nothing is most often a typo in a tag or a group: say so rather than let it pass.
  if (location.status === 'Success' && location.counts.total === 0) {
    lines.push('  no instance matched the targets here (check the Tags, ResourceGroupId or Status)');
  }
  const all = child ? allInstances(child) : [];
  if (child && child.roster && child.instancesOmitted > 0) {
    const detailed = new Set(child.instances.map((i) => i.instanceId));
    const inCloud = all.filter((i) => i.invokeId !== null && !detailed.has(i.instanceId)).length;
    if (inCloud > 0) {
      lines.push(
        `  detail of ${inCloud} instances is in the cloud only (too many for one payload): DescribeInvocationResults with their invoke ids`,
      );
    }
  }
  // Failures first: in a large location they are what the operator acts on.
  const instances = [...all.filter((i) => i.status !== 'Success'), ...all.filter((i) => i.status === 'Success')];
  for (const inst of instances.slice(0, limit)) {
    const exit = inst.exitCode === null ? '' : `exit ${inst.exitCode}`;
    const output = firstLine(inst.output);
    const why = inst.errorCode
      ? `${inst.errorCode}${inst.errorInfo ? `: ${inst.errorInfo}` : ''}${output ? ` | ${output}` : ''}`
      : output;
    lines.push(`  ${inst.instanceId.padEnd(24)} ${inst.status.padEnd(10)} ${exit.padEnd(8)} ${why}`);
  }
  if (instances.length > limit) lines.push(`  … ${instances.length - limit} more instances (use --all)`);
  return lines;
}

/** "654321/cn-shanghai"; a child learns its account only after its first cloud call: then just the region. */
export function formatLocation(accountId: string, regionId: string): string {
  if (!accountId) return regionId || '…';
  return `${accountId}/${regionId || '…'}`;
}

/** One screen of `status`: for a parent, its locations; for a child, its instances. */
export function renderProgress(workflowId: string, progress: ParentProgress | ChildProgress): string {
  const c = progress.counts;
  const rc = progress.rateControl;
  const control = `concurrency ${rc.concurrency}, errors ${rc.errors}/${rc.maxErrors}${rc.paused ? ', PAUSED' : ''}${rc.waitingForResume ? ' (waiting for resume before the next wave)' : ''}`;
  const tally = `${c.success} success, ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.cancelled} cancelled, ${c.skipped} skipped`;
  if (!('locations' in progress)) {
    return `${workflowId}: ${progress.phase} in ${formatLocation(progress.accountId, progress.regionId)}; instances ${c.total}: ${tally}; ${progress.invocations} invocations running; ${control}`;
  }
  const lines = [`${workflowId}: ${progress.phase}; locations ${c.total}: ${tally}; ${control}`];
  for (const l of progress.locations) {
    lines.push(
      `  ${formatLocation(l.accountId, l.regionId)}  ${l.status}  ${l.workflowId}${l.error ? `  ${l.error.split('\n')[0]}` : ''}`,
    );
  }
  return lines.join('\n');
}
