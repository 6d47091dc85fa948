// Generates test-vectors/payloads.json ONCE from hand-chosen field values.
//
// Deliberately independent of src/: the ABI tuples below are written out from the README table
// by hand and encoded with plain viem `encodeAbiParameters`, so the jest golden-vector test (which
// runs the codec in src/) and the forge tests in contracts/test check two independent
// implementations against the same bytes.
//
// Usage (from packages/protocol): node scripts/gen-vectors.mjs [--force]
// (Regenerated with --force when the wire format gained requestId, the EXPOSURE position fields, the
// LIQUIDATE insurance part and WITHDRAW_DONE, and again when orders gained their expiry and ORDER_ACK its
// status; VERSION stayed 1 because nothing was deployed.)
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAbiParameters, keccak256, parseAbiParameters } from 'viem';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-vectors', 'payloads.json');
if (existsSync(out) && !process.argv.includes('--force')) {
  console.error(`${out} exists; the vectors are frozen (pass --force to overwrite deliberately)`);
  process.exit(1);
}

const VERSION = 1;
const MAX_U64 = 2n ** 64n - 1n;
const MAX_U256 = 2n ** 256n - 1n;
const MAX_I256 = 2n ** 255n - 1n;
const MIN_I256 = -(2n ** 255n);

const A1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const A2 = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const A3 = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const T1 = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const T2 = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const P1 = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';
const ZERO = '0x0000000000000000000000000000000000000000';
const MAXADDR = '0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF';
const OID1 = '0x' + '11'.repeat(32);
const OID2 = '0xdeadbeef' + '00'.repeat(24) + 'cafebabe';
const OID0 = '0x' + '00'.repeat(32);
const OIDF = '0x' + 'ff'.repeat(32);
// Market symbols, ASCII right-padded with zero bytes (viem `stringToHex(s, { size: 32 })`), written out by hand.
const ETH_PERP = '0x4554482d50455250' + '00'.repeat(24);
const BTC_PERP = '0x4254432d50455250' + '00'.repeat(24);
const MAX_MARKET = '0x' + '5a'.repeat(31) + '00'; // 31 × 'Z'

// type code, ABI of the fields after (version, msgType), field names in order — from the README.
const LAYOUT = {
  BALANCE: [1, 'address account, address token, uint256 balance, int256 delta, uint64 seq'],
  WITHDRAW_REQUEST: [2, 'address account, address token, uint256 amount, uint64 requestId, uint64 seq'],
  EXPOSURE: [3, 'address account, address protocol, bytes32 market, int256 size, uint256 entryPrice, uint64 seq'],
  ORDER_ACK: [
    4,
    'bytes32 orderId, address account, address token, uint256 seized, uint256 balance, uint8 status, uint64 seq',
  ],
  LIQUIDATE: [
    5,
    'bytes32 orderId, address account, address token, uint256 amount, address recipient, uint256 insuranceAmount, uint64 expiry',
  ],
  WITHDRAW_DECISION: [
    6,
    'bytes32 orderId, address account, address token, uint256 amount, uint64 requestId, bool approved, uint64 expiry',
  ],
  WITHDRAW_DONE: [
    7,
    'address account, address token, uint64 requestId, uint256 paid, uint256 balance, uint8 outcome, uint64 seq',
  ],
};

/** @type {[string, keyof typeof LAYOUT, Record<string, string | bigint | boolean>][]} */
const cases = [
  ['balance: first deposit', 'BALANCE', { account: A1, token: T1, balance: 100n, delta: 100n, seq: 1n }],
  ['balance: withdrawal, negative delta', 'BALANCE', { account: A1, token: T1, balance: 123n, delta: -5n, seq: 2n }],
  ['balance: all zero', 'BALANCE', { account: ZERO, token: ZERO, balance: 0n, delta: 0n, seq: 0n }],
  [
    'balance: max uint256 balance, max int256 delta, max uint64 seq',
    'BALANCE',
    { account: MAXADDR, token: T2, balance: MAX_U256, delta: MAX_I256, seq: MAX_U64 },
  ],
  [
    'balance: min int256 delta',
    'BALANCE',
    { account: A2, token: T2, balance: 0n, delta: MIN_I256, seq: 18446744073709551614n },
  ],
  ['balance: delta -1', 'BALANCE', { account: A3, token: T1, balance: 999999999999999999999n, delta: -1n, seq: 42n }],
  ['withdraw request', 'WITHDRAW_REQUEST', { account: A1, token: T1, amount: 50000000n, requestId: 1n, seq: 3n }],
  [
    'withdraw request: zero amount, zero ids',
    'WITHDRAW_REQUEST',
    { account: A2, token: T2, amount: 0n, requestId: 0n, seq: 0n },
  ],
  [
    'withdraw request: max amount, max ids',
    'WITHDRAW_REQUEST',
    { account: MAXADDR, token: MAXADDR, amount: MAX_U256, requestId: MAX_U64, seq: MAX_U64 },
  ],
  [
    'exposure: 1.5 ETH-PERP long at 2000',
    'EXPOSURE',
    {
      account: A1,
      protocol: P1,
      market: ETH_PERP,
      size: 1500000000000000000n,
      entryPrice: 2000n * 10n ** 18n,
      seq: 4n,
    },
  ],
  [
    'exposure: BTC-PERP short',
    'EXPOSURE',
    { account: A2, protocol: P1, market: BTC_PERP, size: -25n * 10n ** 16n, entryPrice: 65000n * 10n ** 18n, seq: 9n },
  ],
  [
    'exposure: closed (size 0)',
    'EXPOSURE',
    { account: A3, protocol: ZERO, market: ETH_PERP, size: 0n, entryPrice: 0n, seq: 0n },
  ],
  [
    'exposure: extremes',
    'EXPOSURE',
    { account: A2, protocol: P1, market: MAX_MARKET, size: MIN_I256, entryPrice: MAX_U256, seq: MAX_U64 },
  ],
  ['order ack', 'ORDER_ACK', { orderId: OID2, account: A1, token: T1, seized: 40n, balance: 60n, status: 1, seq: 5n }],
  [
    'order ack: zero order id, nothing seized',
    'ORDER_ACK',
    { orderId: OID0, account: A2, token: T2, seized: 0n, balance: 0n, status: 1, seq: 0n },
  ],
  [
    'order ack: expired on arrival',
    'ORDER_ACK',
    { orderId: OID1, account: A3, token: T1, seized: 0n, balance: 77n, status: 2, seq: 11n },
  ],
  [
    'order ack: max values',
    'ORDER_ACK',
    { orderId: OIDF, account: MAXADDR, token: MAXADDR, seized: MAX_U256, balance: MAX_U256, status: 2, seq: MAX_U64 },
  ],
  [
    'liquidate: 40 with 4 to insurance',
    'LIQUIDATE',
    { orderId: OID1, account: A1, token: T1, amount: 40n, recipient: A3, insuranceAmount: 4n, expiry: 1700000000n },
  ],
  [
    'liquidate: zeros (but the recipient, which may not be zero)',
    'LIQUIDATE',
    { orderId: OID0, account: ZERO, token: ZERO, amount: 0n, recipient: A1, insuranceAmount: 0n, expiry: 0n },
  ],
  [
    'liquidate: max amount, all to insurance',
    'LIQUIDATE',
    {
      orderId: OIDF,
      account: A2,
      token: T2,
      amount: MAX_U256,
      recipient: MAXADDR,
      insuranceAmount: MAX_U256,
      expiry: MAX_U64,
    },
  ],
  [
    'withdraw decision: approved',
    'WITHDRAW_DECISION',
    { orderId: OID2, account: A1, token: T1, amount: 50000000n, requestId: 1n, approved: true, expiry: 1700000600n },
  ],
  [
    'withdraw decision: rejected',
    'WITHDRAW_DECISION',
    { orderId: OID1, account: A2, token: T2, amount: 7n, requestId: 12n, approved: false, expiry: 0n },
  ],
  [
    'withdraw decision: max amount, approved',
    'WITHDRAW_DECISION',
    {
      orderId: OIDF,
      account: MAXADDR,
      token: ZERO,
      amount: MAX_U256,
      requestId: MAX_U64,
      approved: true,
      expiry: MAX_U64,
    },
  ],
  [
    'withdraw done: paid',
    'WITHDRAW_DONE',
    { account: A1, token: T1, requestId: 1n, paid: 50000000n, balance: 25000000n, outcome: 1, seq: 6n },
  ],
  [
    'withdraw done: rejected',
    'WITHDRAW_DONE',
    { account: A2, token: T2, requestId: 12n, paid: 0n, balance: 7n, outcome: 2, seq: 10n },
  ],
  [
    'withdraw done: escaped, max values',
    'WITHDRAW_DONE',
    {
      account: MAXADDR,
      token: MAXADDR,
      requestId: MAX_U64,
      paid: MAX_U256,
      balance: MAX_U256,
      outcome: 3,
      seq: MAX_U64,
    },
  ],
];

const jsonValue = (v) => (typeof v === 'bigint' ? v.toString() : v);

const vectors = cases.map(([name, type, fields]) => {
  const [code, abi] = LAYOUT[type];
  const params = parseAbiParameters(`uint8 version, uint8 msgType, ${abi}`);
  const values = [VERSION, code, ...params.slice(2).map((p) => fields[p.name])];
  if (values.length !== params.length || values.some((v) => v === undefined)) {
    throw new Error(`vector ${name}: fields do not match ${abi}`);
  }
  const payload = encodeAbiParameters(params, values);
  return {
    name,
    type,
    fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, jsonValue(v)])),
    payload,
  };
});

const ORDER_ID_ABI = parseAbiParameters(
  'uint8 msgType, uint32 dstEid, address account, address token, uint256 amount, address recipient, uint64 inputSeq',
);
const orderCases = [
  { msgType: 5, dstEid: 40102, account: A1, token: T1, amount: 100n, recipient: A3, inputSeq: 17n },
  { msgType: 5, dstEid: 40161, account: A2, token: T2, amount: 2500n * 10n ** 18n, recipient: P1, inputSeq: 1n },
  { msgType: 5, dstEid: 0, account: ZERO, token: ZERO, amount: 0n, recipient: ZERO, inputSeq: 0n },
  // withdrawal decisions: type 6, the account itself as the recipient
  { msgType: 6, dstEid: 40102, account: A1, token: T1, amount: 50000000n, recipient: A1, inputSeq: 23n },
  { msgType: 6, dstEid: 40161, account: A2, token: T2, amount: 7n, recipient: A2, inputSeq: 1n },
  {
    msgType: 5,
    dstEid: 4294967295,
    account: MAXADDR,
    token: MAXADDR,
    amount: MAX_U256,
    recipient: MAXADDR,
    inputSeq: MAX_U64,
  },
];
const orderIds = orderCases.map((f) => ({
  fields: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, jsonValue(v)])),
  orderId: keccak256(
    encodeAbiParameters(
      ORDER_ID_ABI,
      ORDER_ID_ABI.map((p) => f[p.name]),
    ),
  ),
}));

writeFileSync(out, JSON.stringify({ vectors, orderIds }, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors and ${orderIds.length} order ids to ${out}`);
