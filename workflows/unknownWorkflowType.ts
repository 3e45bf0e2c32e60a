// What this worker runs when asked for a workflow type it does not have (the SDK's dynamic workflow: the
// bundle's default export). Most often a templateName typo: the parent started a child of that type on
// this task queue. Failing at once, non-retryably, fails that location with a message that says so,
// instead of the child waiting forever for a worker that will never come.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { UNKNOWN_WORKFLOW_TYPE } from '../contract/errors';
import { BULKY_WORKFLOW_TYPE, PARENT_WORKFLOW_TYPE } from '../contract/input';

export function unknownWorkflowType(): Promise<never> {
  const { workflowType, taskQueue } = workflowInfo();
  const failure = ApplicationFailure.create({
    type: UNKNOWN_WORKFLOW_TYPE,
    nonRetryable: true,
    message:
      `no workflow type "${workflowType}" on task queue ${taskQueue}: this worker runs ` +
      `${PARENT_WORKFLOW_TYPE} and ${BULKY_WORKFLOW_TYPE}. Check templateName, or set templateTaskQueue to ` +
      'the task queue of the service whose workflow it names',
  });
  return Promise.reject(failure);
}
