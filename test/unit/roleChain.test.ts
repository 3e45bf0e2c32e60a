// Role chain grammar (DESIGN §3): exact hops, the account the chain ends in, the canonical text, or the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RoleChainError,
  SELF_ACCOUNT,
  chainAccountId,
  formatRoleChain,
  parseRoleChain,
  parseRoleHop,
  roleArn,
  type RoleHop,
} from '../../contract/roleChain';

const elevenHops = Array.from({ length: 11 }, (_, i) => `${100 + i}/Role${i}`).join('|');
const tenHops = Array.from({ length: 10 }, (_, i) => `${100 + i}/Role${i}`).join('|');
const longName = 'R'.repeat(64);

type Ok = { hops: RoleHop[]; account: string; canonical: string };
const cases: { name: string; chain: string; prefix?: string; expected: Ok | { error: RegExp } }[] = [
  {
    name: 'seed chain',
    chain: 'OOSServiceRole|654321/OOSServiceRole',
    expected: {
      hops: [{ roleName: 'OOSServiceRole' }, { accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: 'OOSServiceRole|654321/OOSServiceRole',
    },
  },
  {
    name: 'single role name: the worker account',
    chain: 'OOSServiceRole',
    expected: { hops: [{ roleName: 'OOSServiceRole' }], account: SELF_ACCOUNT, canonical: 'OOSServiceRole' },
  },
  {
    name: 'single AccountId/RoleName',
    chain: '654321/OOSServiceRole',
    expected: {
      hops: [{ accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: '654321/OOSServiceRole',
    },
  },
  {
    name: 'ARN hop is canonicalised to AccountId/RoleName',
    chain: 'acs:ram::654321:role/OOSServiceRole',
    expected: {
      hops: [{ accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: '654321/OOSServiceRole',
    },
  },
  {
    name: 'ARN in upper case',
    chain: 'ACS:RAM::654321:ROLE/Admin',
    expected: { hops: [{ accountId: '654321', roleName: 'Admin' }], account: '654321', canonical: '654321/Admin' },
  },
  {
    name: 'mixed ARN and AccountId/RoleName hops',
    chain: 'acs:ram::123456:role/Hub|654321/Member',
    expected: {
      hops: [
        { accountId: '123456', roleName: 'Hub' },
        { accountId: '654321', roleName: 'Member' },
      ],
      account: '654321',
      canonical: '123456/Hub|654321/Member',
    },
  },
  {
    name: 'last hop without account stays in the previous account',
    chain: '654321/Hub|Local',
    expected: {
      hops: [{ accountId: '654321', roleName: 'Hub' }, { roleName: 'Local' }],
      account: '654321',
      canonical: '654321/Hub|Local',
    },
  },
  {
    name: 'spaces around hops are trimmed',
    chain: '  OOSServiceRole | 654321/OOSServiceRole  ',
    expected: {
      hops: [{ roleName: 'OOSServiceRole' }, { accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: 'OOSServiceRole|654321/OOSServiceRole',
    },
  },
  {
    name: "leading '|' continues from the prefix",
    chain: '|654321/OOSServiceRole',
    prefix: 'OOSServiceRole',
    expected: {
      hops: [{ roleName: 'OOSServiceRole' }, { accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: 'OOSServiceRole|654321/OOSServiceRole',
    },
  },
  {
    name: "leading '|' with an empty prefix starts from the worker",
    chain: '|654321/OOSServiceRole',
    prefix: '',
    expected: {
      hops: [{ accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: '654321/OOSServiceRole',
    },
  },
  {
    name: 'a chain without a leading | ignores the prefix',
    chain: '654321/Member',
    prefix: 'OOSServiceRole',
    expected: { hops: [{ accountId: '654321', roleName: 'Member' }], account: '654321', canonical: '654321/Member' },
  },
  { name: 'empty chain: the worker identity', chain: '', expected: { hops: [], account: SELF_ACCOUNT, canonical: '' } },
  { name: 'blank chain', chain: '   ', expected: { hops: [], account: SELF_ACCOUNT, canonical: '' } },
  {
    name: 'role names with dots, dashes, underscores, 64 chars',
    chain: `ops.role-1_a|${longName}`,
    expected: {
      hops: [{ roleName: 'ops.role-1_a' }, { roleName: longName }],
      account: SELF_ACCOUNT,
      canonical: `ops.role-1_a|${longName}`,
    },
  },
  {
    name: '10 hops is the limit',
    chain: tenHops,
    expected: {
      hops: Array.from({ length: 10 }, (_, i) => ({ accountId: `${100 + i}`, roleName: `Role${i}` })),
      account: '109',
      canonical: tenHops,
    },
  },
  { name: 'more than 10 hops', chain: elevenHops, expected: { error: /at most 10 hops, got 11/ } },
  {
    name: 'prefix counts towards the 10 hops',
    chain: `|${tenHops}`,
    prefix: 'OOSServiceRole',
    expected: { error: /at most 10 hops, got 11/ },
  },
  { name: 'missing role name "654321/"', chain: '654321/', expected: { error: /role name "" must be 1-64/ } },
  { name: 'missing account "/Role"', chain: '/Role', expected: { error: /account id "" must be digits/ } },
  { name: 'non-digit account "abc/Role"', chain: 'abc/Role', expected: { error: /account id "abc" must be digits/ } },
  { name: "empty hop 'a||b'", chain: 'a||b', expected: { error: /hop 2 is empty/ } },
  { name: "trailing '|'", chain: 'OOSServiceRole|', expected: { error: /hop 2 is empty/ } },
  { name: "a lone '|'", chain: '|', prefix: '', expected: { error: /hop 1 is empty/ } },
  {
    name: 'space inside a role name',
    chain: 'OOS Service Role',
    expected: { error: /hop "OOS Service Role" must be RoleName, AccountId\/RoleName or acs:ram::/ },
  },
  {
    name: 'bad characters in a role name after an account',
    chain: '654321/Role$Name',
    expected: { error: /role name "Role\$Name" must be 1-64 letters, digits/ },
  },
  { name: 'role name with a colon', chain: 'ns:Role', expected: { error: /hop "ns:Role" must be RoleName/ } },
  { name: 'role name of 65 chars', chain: 'R'.repeat(65), expected: { error: /must be RoleName/ } },
  { name: 'two slashes', chain: '654321/a/b', expected: { error: /role name "a\/b" must be 1-64/ } },
  {
    name: 'ARN with a bad role name',
    chain: 'acs:ram::654321:role/bad name',
    expected: {
      error:
        /^hop "acs:ram::654321:role\/bad name": role name "bad name" must be 1-64 .* \(a role ARN is acs:ram::AccountId:role\/RoleName\)$/,
    },
  },
  {
    name: 'ARN of a user, not a role',
    chain: 'acs:ram::654321:user/alice',
    expected: {
      error: /^hop "acs:ram::654321:user\/alice": "user" must be role \(only roles can be assumed\) \(a role ARN/,
    },
  },
  {
    name: 'ARN with a non-digit account',
    chain: 'acs:ram::abc:role/X',
    expected: { error: /^hop "acs:ram::abc:role\/X": account id "abc" must be digits \(a role ARN/ },
  },
  {
    name: 'ARN of another service with a region',
    chain: 'acs:ecs:cn-hangzhou:654321:role/X',
    expected: { error: /service "ecs" must be ram; the region field must be empty, got "cn-hangzhou" \(a role ARN/ },
  },
  {
    name: 'ARN cut short',
    chain: 'acs:ram::654321',
    expected: { error: /^hop "acs:ram::654321": not a role ARN \(a role ARN is acs:ram::AccountId:role\/RoleName\)$/ },
  },
  {
    name: 'upper-case ARN is accepted',
    chain: 'ACS:RAM::654321:ROLE/OOSServiceRole',
    expected: {
      hops: [{ accountId: '654321', roleName: 'OOSServiceRole' }],
      account: '654321',
      canonical: '654321/OOSServiceRole',
    },
  },
  { name: 'bad second hop', chain: 'OOSServiceRole|x y', expected: { error: /hop "x y"/ } },
];

for (const c of cases) {
  test(`parseRoleChain: ${c.name}`, () => {
    const parse = () => (c.prefix === undefined ? parseRoleChain(c.chain) : parseRoleChain(c.chain, c.prefix));
    if ('error' in c.expected) {
      const pattern = c.expected.error;
      assert.throws(parse, (e: unknown) => {
        assert.ok(e instanceof RoleChainError, `RoleChainError expected, got ${String(e)}`);
        assert.equal(e.name, 'RoleChainError');
        assert.match(e.message, pattern);
        return true;
      });
      return;
    }
    const hops = parse();
    assert.deepEqual(hops, c.expected.hops);
    assert.equal(chainAccountId(hops), c.expected.account);
    assert.equal(formatRoleChain(hops), c.expected.canonical);
    // The canonical text is a fixed point: parsing it again gives the same hops.
    assert.deepEqual(parseRoleChain(formatRoleChain(hops)), hops);
  });
}

const hopCases: { name: string; hop: string; expected: RoleHop }[] = [
  { name: 'role name', hop: 'Admin', expected: { roleName: 'Admin' } },
  {
    name: 'AccountId/RoleName',
    hop: '1234567890123456/Admin',
    expected: { accountId: '1234567890123456', roleName: 'Admin' },
  },
  { name: 'ARN', hop: 'acs:ram::42:role/Admin', expected: { accountId: '42', roleName: 'Admin' } },
];
for (const c of hopCases) {
  test(`parseRoleHop: ${c.name}`, () => {
    assert.deepEqual(parseRoleHop(c.hop), c.expected);
  });
}

const arnCases: { name: string; hop: RoleHop; current: string; expected: string }[] = [
  {
    name: 'role in the current account',
    hop: { roleName: 'OOSServiceRole' },
    current: '123456',
    expected: 'acs:ram::123456:role/OOSServiceRole',
  },
  {
    name: 'role in a named account',
    hop: { accountId: '654321', roleName: 'OOSServiceRole' },
    current: '123456',
    expected: 'acs:ram::654321:role/OOSServiceRole',
  },
];
for (const c of arnCases) {
  test(`roleArn: ${c.name}`, () => {
    assert.equal(roleArn(c.hop, c.current), c.expected);
  });
}
