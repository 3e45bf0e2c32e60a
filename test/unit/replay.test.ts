// Determinism guard: every committed history (test/replay/histories, recorded by
// `npm run record-histories`) must replay against the current workflow code. No server needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/createWorker';

const DIR = path.join(__dirname, '..', 'replay', 'histories');
const manifest = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  file: string;
  workflowId: string;
}[];
const files = manifest.map((m) => m.file);

Runtime.install({ logger: new DefaultLogger('ERROR') });
const bundle = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });

test('there are committed histories of both workflows, with a continue-as-new', () => {
  assert.ok(files.some((f) => f.startsWith('parent-')));
  assert.ok(files.some((f) => f.startsWith('child-continue-as-new-run')));
});

test('every history file is in the manifest', () => {
  assert.deepEqual(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
      .sort(),
    [...files].sort(),
  );
});

for (const { file, workflowId } of manifest) {
  test(`replays ${file}`, async () => {
    const history = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as unknown;
    await Worker.runReplayHistory({ workflowBundle: await bundle }, history, workflowId);
  });
}
