import { OmniError, STREAMS, SubjectError, msgIds, subjects } from '../src/index.js';

const TX = `0x${'Ab'.repeat(32)}` as const;

describe('STREAMS', () => {
  it('names the input and output streams, their subjects and dedupe windows', () => {
    expect(STREAMS).toEqual({
      IN: { name: 'OMNI_IN', subjects: ['omni.in.>'], duplicateWindowMs: 120_000 },
      OUT: { name: 'OMNI_OUT', subjects: ['omni.out.>'], duplicateWindowMs: 3_600_000 },
    });
  });
});

describe('subjects', () => {
  it('builds the README subjects', () => {
    expect(subjects.hubEvent(31337)).toBe('omni.in.hub.31337');
    expect(subjects.price('WETH')).toBe('omni.in.price.WETH');
    expect(subjects.price('USDC_E')).toBe('omni.in.price.USDC_E');
    expect(subjects.order(40102)).toBe('omni.out.order.40102');
    expect(subjects.order(2 ** 32 - 1)).toBe('omni.out.order.4294967295');
    expect(subjects.dlq('clearing-node')).toBe('omni.dlq.clearing-node');
    expect(subjects.rpc('accountSummary')).toBe('omni.rpc.accountSummary');
    expect(subjects.allHubEvents).toBe('omni.in.hub.>');
    expect(subjects.allPrices).toBe('omni.in.price.>');
    expect(subjects.allOrders).toBe('omni.out.order.>');
    expect(subjects.mark('ETH-PERP')).toBe('omni.in.mark.ETH-PERP');
    expect(subjects.allMarks).toBe('omni.in.mark.>');
    expect(msgIds.mark('BTC-PERP', 1764000000n)).toBe('mark:BTC-PERP:1764000000');
  });

  it.each(['', 'eth-perp', 'ETH.PERP', 'ETH>', 'A'.repeat(32)])('refuses the market %j', (market) => {
    expect(() => subjects.mark(market)).toThrow(SubjectError);
    expect(() => msgIds.mark(market, 1n)).toThrow(SubjectError);
  });

  it('keeps every built subject inside its stream', () => {
    expect(subjects.hubEvent(1).startsWith('omni.in.')).toBe(true);
    expect(subjects.price('BTC').startsWith('omni.in.')).toBe(true);
    expect(subjects.order(1).startsWith('omni.out.')).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '1' as unknown as number])(
    'refuses chain id %p',
    (chainId) => {
      expect(() => subjects.hubEvent(chainId)).toThrow(SubjectError);
      expect(() => subjects.hubEvent(chainId)).toThrow(/^invalid chainId ".*": expected a positive integer$/);
    },
  );

  it.each(['', 'weth', 'W.ETH', 'WETH.>', '*', '>', 'W ETH', 'A'.repeat(33), 'ÉTH'])('refuses asset %p', (asset) => {
    const e = (() => {
      try {
        subjects.price(asset);
      } catch (err) {
        return err as SubjectError;
      }
      throw new Error('expected a throw');
    })();
    expect(e).toBeInstanceOf(SubjectError);
    expect(e).toBeInstanceOf(OmniError);
    expect(e.name).toBe('SubjectError');
    expect(e.message).toBe(`invalid asset ${JSON.stringify(asset)}: expected 1-32 of A-Z, 0-9, _`);
    expect(e.details).toEqual({ asset });
  });

  it('accepts a 32-character asset', () => {
    expect(subjects.price('A'.repeat(32))).toBe(`omni.in.price.${'A'.repeat(32)}`);
  });

  it.each([0, -1, 2 ** 32, 1.5])('refuses dstEid %p', (dstEid) => {
    expect(() => subjects.order(dstEid)).toThrow(
      new SubjectError(`invalid dstEid "${dstEid}": expected an integer in 1..2^32-1`),
    );
  });

  it.each(['', 'a.b', 'a*', '>', 'a b', 'x'.repeat(65)])('refuses service / rpc name %p', (name) => {
    expect(() => subjects.dlq(name)).toThrow(/^invalid service ".*": expected 1-64 of/);
    expect(() => subjects.rpc(name)).toThrow(/^invalid rpc name ".*": expected 1-64 of/);
  });
});

describe('msgIds', () => {
  it('builds <chainId>:<txHash>:<logIndex> with the hash lowercased', () => {
    expect(msgIds.hubEvent(31337, TX, 3)).toBe(`31337:0x${'ab'.repeat(32)}:3`);
    expect(msgIds.hubEvent(1, TX, 0)).toBe(`1:0x${'ab'.repeat(32)}:0`);
  });

  it('builds price:<ASSET>:<publishTime>', () => {
    expect(msgIds.price('WETH', 1764000000n)).toBe('price:WETH:1764000000');
    expect(msgIds.price('BTC', 0n)).toBe('price:BTC:0');
  });

  it('refuses bad hub event ids', () => {
    expect(() => msgIds.hubEvent(0, TX, 1)).toThrow('invalid chainId "0": expected a positive integer');
    expect(() => msgIds.hubEvent(1, '0x1234', 1)).toThrow('invalid txHash "0x1234": expected 32 bytes of hex');
    expect(() => msgIds.hubEvent(1, TX, -1)).toThrow('invalid logIndex "-1": expected a non-negative integer');
    expect(() => msgIds.hubEvent(1, TX, 0.5)).toThrow(SubjectError);
  });

  it('builds <orderId>:<signer>, both lowercased, and refuses a bad id or signer', () => {
    const id = `0x${'AB'.repeat(32)}` as const;
    expect(msgIds.order(id, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).toBe(
      `0x${'ab'.repeat(32)}:0x70997970c51812dc3a010c7d01b50e0d17dc79c8`,
    );
    expect(() => msgIds.order('0x12', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).toThrow(
      'invalid orderId "0x12": expected 32 bytes of hex',
    );
    expect(() => msgIds.order(id, '0x1234')).toThrow('invalid signer "0x1234": expected a 20-byte address');
  });

  it('refuses bad price ids', () => {
    expect(() => msgIds.price('weth', 1n)).toThrow(SubjectError);
    expect(() => msgIds.price('WETH', -1n)).toThrow('invalid publishTime "-1": expected a uint64 bigint');
    expect(() => msgIds.price('WETH', 2n ** 64n)).toThrow(SubjectError);
    expect(() => msgIds.price('WETH', 1 as unknown as bigint)).toThrow(
      'invalid publishTime "1": expected a uint64 bigint',
    );
  });
});
