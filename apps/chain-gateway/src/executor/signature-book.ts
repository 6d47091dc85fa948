import type { OutputOrder } from '@omniclear/protocol';
import type { Address, Hex } from 'viem';

/** One order's copies that signed the same digest: the order and each signer's signature. */
interface Group {
  readonly order: OutputOrder;
  readonly signatures: Map<string, { readonly signer: Address; readonly signature: Hex }>;
}

/** What the book holds for an order once a copy was added. */
export interface Collected {
  /** The order (any copy's fields: every copy in a group signed the same digest). */
  readonly order: OutputOrder;
  /** The signatures of the signers in `registered`, ascending by signer address (the hub's order). */
  readonly signatures: ReadonlyArray<{ readonly signer: Address; readonly signature: Hex }>;
}

/**
 * The executor's collection of verified signed copies, per order id and digest (copies that
 * signed different fields never count together). Pure and in memory; the caller verifies each
 * copy's signature before adding it and forgets an order once the hub has it (or it expired).
 */
export class SignatureBook {
  private readonly orders = new Map<Hex, Map<Hex, Group>>();

  /** Orders with at least one copy held. */
  get size(): number {
    return this.orders.size;
  }

  /**
   * Adds a verified copy of `order` (signed over `digest`) and returns the group's signatures by
   * signers `registered` (lowercase addresses), ascending by address. A signer's second copy of
   * the same digest replaces nothing (signatures are deterministic).
   */
  add(order: OutputOrder, digest: Hex, registered: ReadonlySet<string>): Collected {
    let byDigest = this.orders.get(order.orderId);
    if (!byDigest) this.orders.set(order.orderId, (byDigest = new Map()));
    let group = byDigest.get(digest);
    if (!group) byDigest.set(digest, (group = { order, signatures: new Map() }));
    const key = order.signer.toLowerCase();
    if (!group.signatures.has(key)) group.signatures.set(key, { signer: order.signer, signature: order.signature });
    return { order: group.order, signatures: sortedRegistered(group, registered) };
  }

  /** Drops everything held for `orderId`. */
  forget(orderId: Hex): void {
    this.orders.delete(orderId);
  }

  /** Drops every order whose expiry is before `now` (unix seconds); returns how many. */
  sweepExpired(now: bigint): number {
    let dropped = 0;
    for (const [id, byDigest] of this.orders) {
      const first = byDigest.values().next().value;
      if (first && first.order.expiry < now) {
        this.orders.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }
}

function sortedRegistered(group: Group, registered: ReadonlySet<string>): Collected['signatures'] {
  return [...group.signatures.entries()]
    .filter(([key]) => registered.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, s]) => s);
}
