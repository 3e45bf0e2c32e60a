// Mutable state of the emulated cloud: identities, instances and invocations. Kept lean because a
// simulated fleet holds 10,000+ instances and invocation records in one process.
import type { AgentState, Behavior, InstanceStatus, RoleSpec, UserSpec } from './scenario';

export interface Instance {
  id: string;
  name: string;
  status: InstanceStatus;
  osType: 'linux' | 'windows';
  tags: Record<string, string>;
  resourceGroupId: string;
  agent: AgentState;
  /** Set when the instance was released: it is gone from its region's lists. */
  released: boolean;
  behavior: Behavior | undefined;
  creationTime: number;
  privateIp: string;
  invocationCount: number;
  activeTaskCount: number;
  lastInvokedTime: number | undefined;
}

/** Per-instance Cloud Assistant status (reference §2.3). */
export type InstanceInvocationStatus =
  | 'Pending'
  | 'Running'
  | 'Stopping'
  | 'Success'
  | 'Failed'
  | 'Timeout'
  | 'Error'
  | 'Aborted'
  | 'Invalid'
  | 'Cancelled'
  | 'Terminated';

export interface ExecutionRecord {
  accountId: string;
  regionId: string;
  instanceId: string;
  invokeId: string;
  startTime: number;
  finishTime: number | null;
  exitCode: number | null;
  status: string;
}

export interface InvocationInstance {
  instanceId: string;
  status: InstanceInvocationStatus;
  exitCode: number;
  /** Captured output (already capped at 24 KB), or undefined when `simOutput` describes it. */
  output: Buffer | undefined;
  /** Simulated output, rendered on demand so 10k instances cost no output memory. */
  simOutput: Behavior | undefined;
  dropped: number;
  errorCode: string;
  errorInfo: string;
  creationTime: number;
  startTime: number | undefined;
  finishTime: number | undefined;
  stopTime: number | undefined;
  updateTime: number;
  /** Stops a pending delivery or a running execution. */
  cancel: (() => void) | undefined;
  execution: ExecutionRecord | undefined;
}

export interface Invocation {
  invokeId: string;
  commandId: string;
  accountId: string;
  regionId: string;
  commandName: string;
  commandType: string;
  /** Command content as Base64 (what DescribeInvocations returns by default). */
  commandContent: string;
  /** Decoded command content, before parameter substitution. */
  content: string;
  enableParameter: boolean;
  timeout: number;
  workingDir: string;
  username: string;
  /** Parameters as the caller sent them (JSON object). */
  parameters: Record<string, string>;
  creationTime: number;
  visibleAt: number;
  instances: InvocationInstance[];
}

export interface Region {
  accountId: string;
  regionId: string;
  instances: Instance[];
  instancesById: Map<string, Instance>;
  /** Oldest first. */
  invocations: Invocation[];
  invocationsById: Map<string, Invocation>;
  /** ClientToken → fingerprint of the request and the invocation it created. */
  clientTokens: Map<string, { fingerprint: string; invokeId: string; commandId: string }>;
}

export interface Account {
  id: string;
  users: Map<string, UserSpec>;
  /** Keyed by lowercased role name (role names are matched case-insensitively). */
  roles: Map<string, RoleSpec & { roleId: string }>;
  regions: Map<string, Region>;
}

/** A session policy passed to AssumeRole (effective permissions = role ∩ policy). */
export interface PolicyDocument {
  Statement: { Effect: string; Action: string | string[] }[];
}

export type Identity =
  | {
      /** The account itself (root keys): every permission, but it cannot assume roles. */
      type: 'Account';
      accountId: string;
      /** acs:ram::<acct>:root */
      arn: string;
      policies: string[];
    }
  | {
      type: 'RAMUser';
      accountId: string;
      arn: string;
      userName: string;
      userId: string;
      policies: string[];
    }
  | {
      type: 'AssumedRoleUser';
      accountId: string;
      /** GetCallerIdentity form: acs:ram::<acct>:assumed-role/<role>/<session>. */
      arn: string;
      roleName: string;
      roleId: string;
      sessionName: string;
      policies: string[];
      sessionPolicy: PolicyDocument | undefined;
    };

export interface StsSession {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiresAt: number;
  identity: Identity;
}
