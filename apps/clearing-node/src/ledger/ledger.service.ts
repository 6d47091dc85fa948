import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  MarginBook,
  type AccountView,
  type LiquidateAction,
  type OrderRecord,
  type SourceSeq,
} from '@omniclear/margin-engine';
import { liquidationOrderId, type InputEvent } from '@omniclear/protocol';
import type { Address } from 'viem';

import { NODE_CONFIG, type NodeConfig } from '../config.js';

/**
 * The ledger use case: applies one input event (already parsed, with its stream sequence) to the
 * margin book and returns the decisions it triggers. No I/O; the consumer feeds it in stream order.
 */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger(LedgerService.name);
  private readonly book: MarginBook;

  constructor(@Inject(NODE_CONFIG) config: NodeConfig) {
    this.book = new MarginBook({
      assets: config.assets,
      liquidationRecipient: config.liquidationRecipient,
      // The engine stays free of keccak; the id is the protocol's, so every node agrees on it.
      orderId: (f) =>
        liquidationOrderId({
          ...f,
          account: f.account as Address,
          token: f.token as Address,
          recipient: f.recipient as Address,
        }),
    });
  }

  /**
   * Applies `event`, the input at OMNI_IN sequence `inputSeq`, and evaluates the accounts it
   * touches (the reporting account, or the holders of a repriced asset).
   * @throws InvalidInputError (margin engine) when the event is valid on the wire but not for this
   *   book (e.g. a price of an asset the node is not configured for); nothing is applied then.
   */
  apply(event: InputEvent, inputSeq: bigint): LiquidateAction[] {
    const touched = this.applyToBook(event);
    return touched.flatMap((account) => {
      const verdict = this.book.evaluate(account, inputSeq);
      if (verdict.deferred)
        this.logger.warn(
          `${account} is liquidatable but ${verdict.deferred.assets.join(', ')} has no price yet: decision deferred`,
        );
      return verdict.actions;
    });
  }

  /** One account's balances per chain, exposure, value and verdict. */
  account(address: string): AccountView {
    return this.book.accountView(address);
  }

  /** Every order the node decided, with its status. */
  orders(): OrderRecord[] {
    return this.book.orders();
  }

  /** Per-source-chain sequence state (gaps included). */
  sources(): SourceSeq[] {
    return this.book.sources();
  }

  /** Fingerprint of the book: equal on every node at the same input sequence. */
  stateHash(): string {
    return this.book.stateHash();
  }

  /** Applies the event to the book and returns the accounts to evaluate. */
  private applyToBook(event: InputEvent): string[] {
    if (event.kind === 'price') {
      const r = this.book.applyPrice({ asset: event.asset, price: event.price, publishTime: event.publishTime });
      return r.applied ? [...r.holders] : [];
    }
    const m = event.message;
    const eid = event.srcEid;
    switch (m.type) {
      case 'BALANCE': {
        const r = this.book.applyBalance({ eid, account: m.account, token: m.token, balance: m.balance, seq: m.seq });
        return this.touched(r, eid, m.seq);
      }
      case 'EXPOSURE': {
        const r = this.book.applyExposure({
          eid,
          account: m.account,
          protocol: m.protocol,
          exposure: m.exposure,
          seq: m.seq,
        });
        return this.touched(r, eid, m.seq);
      }
      case 'ORDER_ACK': {
        const r = this.book.applyOrderAck({
          eid,
          orderId: m.orderId,
          account: m.account,
          token: m.token,
          seized: m.seized,
          balance: m.balance,
          seq: m.seq,
        });
        if (r.applied && r.order === null)
          this.logger.warn(`ORDER_ACK for an order this node did not issue: ${m.orderId}`);
        return this.touched(r, eid, m.seq);
      }
      case 'WITHDRAW_REQUEST':
        // Withdrawal decisions are a later issue; the request is visible in the stream meanwhile.
        this.logger.log(`WITHDRAW_REQUEST from eid ${eid} for ${m.account} ignored (not handled yet)`);
        return [];
    }
  }

  private touched(
    r:
      | { applied: true; account: string; gap: { expected: bigint; received: bigint } | null }
      | { applied: false; lastSeq: bigint },
    eid: number,
    seq: bigint,
  ): string[] {
    if (!r.applied) {
      this.logger.debug(`replay from eid ${eid}: seq ${seq} ≤ last applied ${r.lastSeq}, ignored`);
      return [];
    }
    if (r.gap) this.logger.warn(`sequence gap from eid ${eid}: expected ${r.gap.expected}, got ${r.gap.received}`);
    return [r.account];
  }
}
