import type { AckStatus, ChainMessage, WithdrawOutcome } from '@omniclear/margin-engine';
import {
  AckStatus as WireAckStatus,
  WithdrawOutcome as Outcome,
  bytes32ToMarket,
  type HubBoundMessage,
} from '@omniclear/protocol';

/** A vault message the node has no meaning for (e.g. an unknown withdrawal outcome or ack status). */
export class UnsupportedMessageError extends Error {
  override name = 'UnsupportedMessageError' as const;
}

const OUTCOMES: Record<number, WithdrawOutcome> = {
  [Outcome.PAID]: 'paid',
  [Outcome.REJECTED]: 'rejected',
  [Outcome.ESCAPED]: 'escaped',
};

const ACK_STATUSES: Record<number, AckStatus> = {
  [WireAckStatus.EXECUTED]: 'executed',
  [WireAckStatus.EXPIRED]: 'expired',
};

/**
 * Translates a decoded hub-bound vault message into the margin engine's vocabulary. Field values
 * are validated by the engine itself (addresses, ranges); this renames and decodes the market id.
 * @throws UnsupportedMessageError for a message the engine has no meaning for.
 */
export function toChainMessage(m: HubBoundMessage): ChainMessage {
  switch (m.type) {
    case 'BALANCE':
      return { type: 'BALANCE', account: m.account, token: m.token, balance: m.balance };
    case 'WITHDRAW_REQUEST':
      return { type: 'WITHDRAW_REQUEST', account: m.account, token: m.token, amount: m.amount, requestId: m.requestId };
    case 'EXPOSURE': {
      let market: string;
      try {
        market = bytes32ToMarket(m.market);
      } catch (error) {
        throw new UnsupportedMessageError(`EXPOSURE market ${m.market}: ${(error as Error).message}`);
      }
      return {
        type: 'EXPOSURE',
        account: m.account,
        protocol: m.protocol,
        market,
        size: m.size,
        entryPrice: m.entryPrice,
      };
    }
    case 'ORDER_ACK': {
      const status = ACK_STATUSES[m.status];
      if (status === undefined) throw new UnsupportedMessageError(`ORDER_ACK with unknown status ${m.status}`);
      return {
        type: 'ORDER_ACK',
        orderId: m.orderId,
        account: m.account,
        token: m.token,
        seized: m.seized,
        balance: m.balance,
        status,
      };
    }
    case 'WITHDRAW_DONE': {
      const outcome = OUTCOMES[m.outcome];
      if (outcome === undefined) throw new UnsupportedMessageError(`WITHDRAW_DONE with unknown outcome ${m.outcome}`);
      return {
        type: 'WITHDRAW_DONE',
        account: m.account,
        token: m.token,
        requestId: m.requestId,
        paid: m.paid,
        balance: m.balance,
        outcome,
      };
    }
  }
}
