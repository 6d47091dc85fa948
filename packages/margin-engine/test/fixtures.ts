import { MarginBook, sha256Hex, type BookConfig, type LiquidationFields } from '../src/index.js';

export const WAD = 10n ** 18n;
export const HUB = 40101;
export const A = 40102;
export const B = 40103;

export const ALICE = '0x' + 'a1'.repeat(20);
export const BOB = '0x' + 'b0'.repeat(20);
export const PERP = '0x' + 'cc'.repeat(20);
export const INSURANCE = '0x' + 'ee'.repeat(20);
export const WETH_A = '0x' + '1a'.repeat(20);
export const WETH_B = '0x' + '1b'.repeat(20);
export const USDC_A = '0x' + '2a'.repeat(20);
export const STRANGER_TOKEN = '0x' + '99'.repeat(20);

/** A stand-in for protocol's keccak order id: any pure, collision-free function of the fields. */
export function fakeOrderId(f: LiquidationFields): string {
  return '0x' + sha256Hex(`${f.dstEid}|${f.account}|${f.token}|${f.amount}|${f.recipient}|${f.inputSeq}`);
}

export const config: BookConfig = {
  assets: [
    {
      symbol: 'WETH',
      decimals: 18,
      tokens: [
        { eid: A, token: WETH_A },
        { eid: B, token: WETH_B },
      ],
    },
    { symbol: 'USDC', decimals: 6, tokens: [{ eid: A, token: USDC_A }] },
  ],
  liquidationRecipient: INSURANCE,
  orderId: fakeOrderId,
};

export const newBook = () => new MarginBook(config);
