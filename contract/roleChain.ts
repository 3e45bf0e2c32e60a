// Role chain grammar (DESIGN §3): hops separated by '|'. A hop is `RoleName` (in the account of the
// current identity), `AccountId/RoleName`, or a full ARN `acs:ram::AccountId:role/RoleName`.
// Workflow-safe: pure string handling only.

export interface RoleHop {
  /** Account that owns the role; undefined = the account of the identity making this hop. */
  accountId?: string;
  roleName: string;
}

/** Account id used when a chain names no account: the worker's own account, resolved at run time. */
export const SELF_ACCOUNT = 'self';

const ACCOUNT_ID = /^\d{1,32}$/;
// RAM role names: 1-64 chars of letters, digits, '.', '-' (and '_' is tolerated by the console).
const ROLE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9._-]{1,64})$/i;

export class RoleChainError extends Error {
  override name = 'RoleChainError';
}

/** Parses one hop; throws RoleChainError with a message that says what is allowed. */
export function parseRoleHop(text: string): RoleHop {
  const hop = text.trim();
  const arn = ARN.exec(hop);
  if (arn) return { accountId: arn[1]!, roleName: arn[2]! };
  if (/^acs:/i.test(hop)) throw new RoleChainError(arnError(hop));
  const slash = hop.indexOf('/');
  if (slash >= 0) {
    const accountId = hop.slice(0, slash);
    const roleName = hop.slice(slash + 1);
    if (!ACCOUNT_ID.test(accountId)) {
      throw new RoleChainError(`hop "${hop}": account id "${accountId}" must be digits (AccountId/RoleName)`);
    }
    if (!ROLE_NAME.test(roleName)) {
      throw new RoleChainError(`hop "${hop}": role name "${roleName}" must be 1-64 letters, digits, '.', '_' or '-'`);
    }
    return { accountId, roleName };
  }
  if (!ROLE_NAME.test(hop)) {
    throw new RoleChainError(
      `hop "${hop}" must be RoleName, AccountId/RoleName or acs:ram::AccountId:role/RoleName (role names: 1-64 letters, digits, '.', '_' or '-')`,
    );
  }
  return { roleName: hop };
}

/** Says what is wrong with a hop that looks like an ARN but is not a role ARN. */
function arnError(hop: string): string {
  const parts = /^acs:([^:]*):([^:]*):([^:]*):([^/]*)\/(.*)$/i.exec(hop);
  const allowed = 'a role ARN is acs:ram::AccountId:role/RoleName';
  if (!parts) return `hop "${hop}": not a role ARN (${allowed})`;
  const [, service, region, account, kind, name] = parts;
  const problems: string[] = [];
  if (service!.toLowerCase() !== 'ram') problems.push(`service "${service}" must be ram`);
  if (region !== '') problems.push(`the region field must be empty, got "${region}"`);
  if (!ACCOUNT_ID.test(account!)) problems.push(`account id "${account}" must be digits`);
  if (kind!.toLowerCase() !== 'role') problems.push(`"${kind}" must be role (only roles can be assumed)`);
  if (!ROLE_NAME.test(name!)) problems.push(`role name "${name}" must be 1-64 letters, digits, '.', '_' or '-'`);
  return `hop "${hop}": ${problems.join('; ') || 'not a role ARN'} (${allowed})`;
}

/**
 * Parses a chain such as "OOSServiceRole|654321/OOSServiceRole". An empty chain means "no role: the
 * worker's own identity". A chain that starts with '|' continues from `prefix` (OOS landing-zone form).
 */
export function parseRoleChain(chain: string, prefix = ''): RoleHop[] {
  const text = chain.trim();
  if (text === '') return [];
  const full = text.startsWith('|') ? `${prefix.trim()}${text}` : text;
  const parts = full.split('|');
  if (parts[0] === '') parts.shift(); // "|654321/Role" with an empty prefix: start from the worker itself
  if (parts.length > 10) throw new RoleChainError(`a chain has at most 10 hops, got ${parts.length}`);
  return parts.map((part, i) => {
    if (part.trim() === '') throw new RoleChainError(`hop ${i + 1} is empty (two '|' in a row?)`);
    return parseRoleHop(part);
  });
}

/** The account a chain ends in: the last explicit account, or SELF_ACCOUNT when none is named. */
export function chainAccountId(hops: RoleHop[]): string {
  for (let i = hops.length - 1; i >= 0; i--) {
    const id = hops[i]!.accountId;
    if (id !== undefined) return id;
  }
  return SELF_ACCOUNT;
}

/** Canonical text of a chain, used as the credential cache key and in results. */
export function formatRoleChain(hops: RoleHop[]): string {
  return hops.map((h) => (h.accountId === undefined ? h.roleName : `${h.accountId}/${h.roleName}`)).join('|');
}

/** ARN of a hop's role, given the account of the identity that makes the hop. */
export function roleArn(hop: RoleHop, currentAccountId: string): string {
  return `acs:ram::${hop.accountId ?? currentAccountId}:role/${hop.roleName}`;
}
