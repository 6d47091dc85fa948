import { sha256Hex, type OrderFields } from '../src/index.js';

// What the vault-message tests share: two spoke chains (LayerZero eids), USDC and WETH tokens on
// each, the accounts, an integrated perp protocol and the liquidator.

export const A = 40102;
export const B = 40103;
export const USDC_A = '0x00000000000000000000000000000000000000a1';
export const WETH_A = '0x00000000000000000000000000000000000000a2';
export const USDC_B = '0x00000000000000000000000000000000000000b1';
export const WETH_B = '0x00000000000000000000000000000000000000b2';
export const ALICE = '0x000000000000000000000000000000000000a11c';
export const BOB = '0x0000000000000000000000000000000000000b0b';
export const PERP_DEX = '0x00000000000000000000000000000000000000dd';
export const LIQUIDATOR = '0x00000000000000000000000000000000000000ff';

/** A stand-in for the protocol's keccak formula: any pure function of every field works. */
export const orderId = (f: OrderFields): string =>
  `0x${sha256Hex(JSON.stringify({ ...f, amount: `${f.amount}`, inputSeq: `${f.inputSeq}` }))}`;
