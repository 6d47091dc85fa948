import type { ChainMessage } from '../src/index.js';

// A small model of one CollateralVault holding one token of one account, written from the rules
// of issue 13 (not from the book): what a LIQUIDATE may seize, how it shrinks withdrawal requests,
// what an order delivered after its expiry does, how decisions, queued payouts and their
// WITHDRAW_DONEs go. It speaks the engine's vocabulary (`ChainMessage`) and numbers what it sends
// as the vault's own sequence.

type RequestState = 'pending' | 'queued' | 'closed';

interface Request {
  /** The amount asked: what a decision must name to match. */
  readonly amount: bigint;
  /** What an approval pays, a rejection unfreezes: shrunk by liquidations while pending. */
  remaining: bigint;
  state: RequestState;
}

export interface Sent {
  readonly seq: bigint;
  readonly message: ChainMessage;
}

export class ModelVault {
  balance = 0n;
  private seq = 0n;
  private nextRequest = 1n;
  private readonly requests = new Map<bigint, Request>();
  /** Order ids already delivered (each executes at most once). */
  private readonly used = new Set<string>();
  /** Messages to the hub, in the order sent. */
  readonly outbox: Sent[] = [];

  constructor(
    readonly account: string,
    readonly token: string,
  ) {}

  /** Σ remaining of requests a payout or a decision still holds (pending or queued). */
  frozen(): bigint {
    let sum = 0n;
    for (const r of this.requests.values()) if (r.state !== 'closed') sum += r.remaining;
    return sum;
  }

  /** Σ remaining of approved payouts the rate limit queued. */
  queued(): bigint {
    let sum = 0n;
    for (const r of this.requests.values()) if (r.state === 'queued') sum += r.remaining;
    return sum;
  }

  /** What a LIQUIDATE may take now: everything but approved payouts still queued. */
  seizable(): bigint {
    return this.balance - this.queued();
  }

  /** Σ (amount − remaining) over queued payouts: approved, then shrunk by a liquidation first. */
  queuedShrinkage(): bigint {
    let sum = 0n;
    for (const r of this.requests.values()) if (r.state === 'queued') sum += r.amount - r.remaining;
    return sum;
  }

  /** Requests open at the vault (pending or queued), by id. */
  open(): bigint[] {
    return [...this.requests].filter(([, r]) => r.state !== 'closed').map(([id]) => id);
  }

  /** Requests nobody decided yet (pending), by id. */
  pendingIds(): bigint[] {
    return [...this.requests].filter(([, r]) => r.state === 'pending').map(([id]) => id);
  }

  queuedIds(): bigint[] {
    return [...this.requests].filter(([, r]) => r.state === 'queued').map(([id]) => id);
  }

  deposit(amount: bigint): void {
    this.balance += amount;
    this.send({ type: 'BALANCE', account: this.account, token: this.token, balance: this.balance });
  }

  /** A withdrawal request of `amount` from the unfrozen balance; false if the vault refuses it. */
  request(amount: bigint): boolean {
    if (amount <= 0n || amount > this.balance - this.frozen()) return false;
    const requestId = this.nextRequest++;
    this.requests.set(requestId, { amount, remaining: amount, state: 'pending' });
    this.send({ type: 'WITHDRAW_REQUEST', account: this.account, token: this.token, amount, requestId });
    return true;
  }

  /**
   * A LIQUIDATE delivered (after its expiry when `expired`). Returns what it seized and how much
   * of that came out of pending requests.
   */
  liquidate(order: { id: string; amount: bigint }, expired: boolean): { seized: bigint; fromRequests: bigint } {
    if (this.used.has(order.id)) throw new Error(`order ${order.id} delivered twice`);
    this.used.add(order.id);
    if (expired) {
      this.ack(order.id, 0n, 'expired');
      return { seized: 0n, fromRequests: 0n };
    }
    const seized = order.amount < this.seizable() ? order.amount : this.seizable();
    const free = this.balance - this.frozen();
    let fromRequests = seized > free ? seized - (free > 0n ? free : 0n) : 0n;
    const taken = fromRequests;
    // newest pending request first
    for (const id of [...this.requests.keys()].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))) {
      if (fromRequests === 0n) break;
      const r = this.requests.get(id)!;
      if (r.state !== 'pending') continue;
      const cut = r.remaining < fromRequests ? r.remaining : fromRequests;
      r.remaining -= cut;
      fromRequests -= cut;
    }
    if (fromRequests !== 0n) throw new Error('model: a seizure beyond the pending requests');
    this.balance -= seized;
    this.ack(order.id, seized, 'executed');
    return { seized, fromRequests: taken };
  }

  /**
   * A WITHDRAW_DECISION delivered (after its expiry when `expired`); an approval is paid at once,
   * or queued by the rate limit when `queue`. Returns what it did.
   */
  decide(
    order: { id: string; requestId: bigint | null; amount: bigint; approved: boolean },
    expired: boolean,
    queue: boolean,
  ): 'expired' | 'ignored' | 'paid' | 'queued' | 'rejected' {
    if (this.used.has(order.id)) throw new Error(`order ${order.id} delivered twice`);
    this.used.add(order.id);
    if (expired) {
      this.ack(order.id, 0n, 'expired');
      return 'expired';
    }
    const r = order.requestId === null ? undefined : this.requests.get(order.requestId);
    if (!r || r.state !== 'pending' || r.amount !== order.amount) return 'ignored';
    if (!order.approved) {
      r.state = 'closed';
      this.done(order.requestId!, 0n, 'rejected');
      return 'rejected';
    }
    if (queue) {
      r.state = 'queued';
      return 'queued';
    }
    this.pay(order.requestId!, r);
    return 'paid';
  }

  /** The rate limit lets queued payout `requestId` go. */
  release(requestId: bigint): void {
    const r = this.requests.get(requestId);
    if (!r || r.state !== 'queued') throw new Error(`no queued payout ${requestId}`);
    this.pay(requestId, r);
  }

  private pay(requestId: bigint, r: Request): void {
    r.state = 'closed';
    this.balance -= r.remaining;
    this.done(requestId, r.remaining, 'paid');
  }

  private done(requestId: bigint, paid: bigint, outcome: 'paid' | 'rejected'): void {
    this.send({
      type: 'WITHDRAW_DONE',
      account: this.account,
      token: this.token,
      requestId,
      paid,
      balance: this.balance,
      outcome,
    });
  }

  private ack(orderId: string, seized: bigint, status: 'executed' | 'expired'): void {
    this.send({
      type: 'ORDER_ACK',
      orderId,
      account: this.account,
      token: this.token,
      seized,
      balance: this.balance,
      status,
    });
  }

  private send(message: ChainMessage): void {
    this.outbox.push({ seq: ++this.seq, message });
  }
}
