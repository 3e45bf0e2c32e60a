// Determinism guard: every committed history (test/replay/histories/<set>/, each set recorded by
// `npm run record-histories -- <set>` after a workflow change) must replay against the current workflow
// code: runs started by older code meet the new workers. No server needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/createWorker';

const ROOT = path.join(__dirname, '..', 'replay', 'histories');
const sets = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const manifest = sets.flatMap((set) =>
  (
    JSON.parse(readFileSync(path.join(ROOT, set, 'manifest.json'), 'utf8')) as { file: string; workflowId: string }[]
  ).map((m) => ({ ...m, file: `${set}/${m.file}` })),
);
const files = manifest.map((m) => m.file);

Runtime.install({ logger: new DefaultLogger('ERROR') });
const bundle = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });

test('each set has histories of both workflows, with a continue-as-new', () => {
  assert.ok(sets.length >= 2, `sets: ${sets.join(', ')}`);
  for (const set of sets) {
    assert.ok(
      files.some((f) => f.startsWith(`${set}/parent-`)),
      set,
    );
    assert.ok(
      files.some((f) => f.startsWith(`${set}/child-continue-as-new-run`)),
      set,
    );
  }
});

test('every history file is in its manifest', () => {
  assert.deepEqual(
    sets
      .flatMap((set) => readdirSync(path.join(ROOT, set)).map((f) => `${set}/${f}`))
      .filter((f) => f.endsWith('.json') && !f.endsWith('/manifest.json'))
      .sort(),
    [...files].sort(),
  );
});

for (const { file, workflowId } of manifest) {
  test(`replays ${file}`, async () => {
    const history = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as unknown;
    await Worker.runReplayHistory({ workflowBundle: await bundle }, history, workflowId);
  });
}
