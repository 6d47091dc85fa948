import 'reflect-metadata';

import type { AccountDto } from '../src/api/views.js';
import { UpdatesService, type MarketUpdate, type NodeUpdate } from '../src/updates/updates.service.js';

// UpdatesService alone: the watched set that bounds what a price tick costs, and who receives the
// updates a tick produces.

const A = '0x00000000000000000000000000000000000A11cE';
const B = '0x0000000000000000000000000000000000000b0b';

/** An account view with only the address set: delivery looks at nothing else. */
function dto(account: string): AccountDto {
  return { account } as AccountDto;
}

const tick: MarketUpdate = {
  type: 'market',
  kind: 'price',
  inputSeq: '7',
  asset: 'WETH',
  price: '1900000000000000000000',
  markets: ['ETH-PERP'],
  time: '1000',
};

function collect(updates: UpdatesService, account?: string) {
  const seen: NodeUpdate[] = [];
  const subscription = updates.stream({ account }).subscribe((u) => seen.push(u));
  return { seen, subscription };
}

describe('UpdatesService', () => {
  it('counts the filtered streams per account in the watched set and drops an account with its last stream', () => {
    const updates = new UpdatesService();
    expect(updates.listening).toBe(false);
    const all = collect(updates);
    expect(updates.listening).toBe(true);
    expect([...updates.watched]).toEqual([]);

    const a1 = collect(updates, A.toLowerCase());
    const a2 = collect(updates, A); // the same account, checksummed
    const b = collect(updates, B);
    expect(new Map(updates.watched)).toEqual(
      new Map([
        [A.toLowerCase(), 2],
        [B, 1],
      ]),
    );

    a1.subscription.unsubscribe();
    expect(new Map(updates.watched)).toEqual(
      new Map([
        [A.toLowerCase(), 1],
        [B, 1],
      ]),
    );
    a2.subscription.unsubscribe();
    b.subscription.unsubscribe();
    expect([...updates.watched]).toEqual([]);
    // unsubscribing again is a no-op: the count does not go negative or reappear
    a1.subscription.unsubscribe();
    expect([...updates.watched]).toEqual([]);
    all.subscription.unsubscribe();
    expect(updates.listening).toBe(false);
  });

  it('empties the watched set when the streams end at shutdown', () => {
    const updates = new UpdatesService();
    const a = collect(updates, A);
    let completed = false;
    a.subscription.add(() => (completed = true));
    expect(updates.watched.size).toBe(1);
    updates.onModuleDestroy();
    expect(completed).toBe(true);
    expect(updates.watched.size).toBe(0);
  });

  it('sends a repriced account to its own streams only, and a market event to all and to the exposed accounts', () => {
    const updates = new UpdatesService();
    const all = collect(updates);
    const a = collect(updates, A);
    const b = collect(updates, B);

    updates.marketMoved(tick, new Set([A.toLowerCase()]));
    updates.accountRepriced(dto(A), 7n);
    // an account an input changed otherwise still goes to every stream of it and to all
    updates.accountChanged(dto(B), 8n);

    expect(all.seen).toEqual([tick, { type: 'account', inputSeq: '8', account: dto(B) }]);
    expect(a.seen).toEqual([tick, { type: 'account', inputSeq: '7', account: dto(A) }]);
    expect(b.seen).toEqual([{ type: 'account', inputSeq: '8', account: dto(B) }]);
  });
});
