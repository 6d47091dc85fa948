import { sha256Hex } from '@omniclear/margin-engine';
import type { HubBoundMessage, InputEvent } from '@omniclear/protocol';
import type { Hex } from 'viem';

import { LedgerService } from '../src/ledger/ledger.service.js';
import { ALICE, BOB, EID_A, HUB_CHAIN_ID, PERP, WAD, WETH_A, marketId, testConfig } from './helpers.js';

// The ledger's state hash is the engine's (SHA-256 of the book's snapshot JSON), computed with
// node:crypto; a node reports it in /health and compares it with a snapshot's on restore.

let n = 0;
/** A hub event carrying `message` from vault A (its seq: the event's number). */
const hub = (message: HubBoundMessage): InputEvent => {
  n += 1;
  return {
    kind: 'hub',
    chainId: HUB_CHAIN_ID,
    blockNumber: BigInt(n),
    blockTimestamp: 1_764_000_000n + BigInt(n),
    txHash: `0x${n.toString(16).padStart(64, '0')}` as Hex,
    logIndex: 0,
    srcEid: EID_A,
    nonce: BigInt(n),
    guid: `0x${(0xab00 + n).toString(16).padStart(64, '0')}` as Hex,
    message,
  };
};

describe('LedgerService state hash', () => {
  it('equals the engine digest of the exported state, before and after inputs, and after an import', () => {
    const ledger = new LedgerService(testConfig('nats://127.0.0.1:1'));
    const engineHash = () => sha256Hex(ledger.exportState());
    expect(ledger.stateHash()).toBe(engineHash());
    const empty = ledger.stateHash();
    let seq = 0n;
    const apply = (e: InputEvent) => {
      const r = ledger.apply(e, ++seq);
      expect(r.rejected).toBeNull();
    };
    apply({ kind: 'price', asset: 'WETH', price: 3000n * WAD, publishTime: 1_764_000_000n, source: 'test' });
    for (const account of [ALICE, BOB])
      apply(hub({ type: 'BALANCE', account, token: WETH_A, balance: 2n * WAD, delta: 2n * WAD, seq: BigInt(n + 1) }));
    apply(
      hub({
        type: 'EXPOSURE',
        account: ALICE,
        protocol: PERP,
        market: marketId('ETH-PERP'),
        size: 10n * WAD,
        entryPrice: 3000n * WAD,
        seq: BigInt(n + 1),
      }),
    );
    expect(ledger.stateHash()).not.toBe(empty);
    // what moves each account's figures, without evaluating it
    expect(ledger.exposure(ALICE)).toEqual({ assets: new Set(['WETH']), markets: new Set(['ETH-PERP']) });
    expect(ledger.exposure(BOB)).toEqual({ assets: new Set(['WETH']), markets: new Set() });
    expect(ledger.exposure('0x00000000000000000000000000000000000000aa')).toEqual({
      assets: new Set(),
      markets: new Set(),
    });
    expect(ledger.stateHash()).toBe(engineHash());
    const copy = new LedgerService(testConfig('nats://127.0.0.1:1'));
    copy.importState(ledger.exportState());
    expect(copy.stateHash()).toBe(ledger.stateHash());
  });
});

describe('LedgerService.apply', () => {
  it('says whether a price or mark moved the book: not for one older than the last, nor for other inputs', () => {
    const ledger = new LedgerService(testConfig('nats://127.0.0.1:1'));
    const price = (p: bigint, publishTime: bigint) =>
      ledger.apply({ kind: 'price', asset: 'WETH', price: p * WAD, publishTime, source: 'test' }, BigInt(publishTime));
    expect(price(3000n, 100n)).toMatchObject({ repriced: true, rejected: null });
    expect(price(2900n, 100n)).toMatchObject({ repriced: false, rejected: null }); // not newer: ignored
    expect(price(2900n, 99n)).toMatchObject({ repriced: false, rejected: null });
    expect(price(2900n, 101n)).toMatchObject({ repriced: true, rejected: null });
    const mark = (publishTime: bigint) =>
      ledger.apply(
        {
          kind: 'mark',
          market: 'ETH-PERP',
          markPrice: 2900n * WAD,
          indexPrice: 2900n * WAD,
          publishTime,
          source: 'test',
        },
        1000n + publishTime,
      );
    expect(mark(101n)).toMatchObject({ repriced: true });
    expect(mark(50n)).toMatchObject({ repriced: false }); // older than the last: ignored
    expect(
      ledger.apply(hub({ type: 'BALANCE', account: ALICE, token: WETH_A, balance: WAD, delta: WAD, seq: 1n }), 2000n),
    ).toMatchObject({ repriced: false, rejected: null });
  });
});
