import { jsonLogger, silentLogger } from '../src/index.js';

describe('jsonLogger', () => {
  it('writes one JSON object per line with level, service, message and fields', () => {
    const lines: string[] = [];
    const log = jsonLogger('price-feed', (l) => lines.push(l));
    log.info('published', { asset: 'WETH', price: 2000n * 10n ** 18n });
    log.warn('held back', { reason: 'step' });
    log.error('failed');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const [first, second, third] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      level: 'info',
      service: 'price-feed',
      msg: 'published',
      asset: 'WETH',
      price: '2000000000000000000000',
    });
    expect(Number.isNaN(Date.parse(String(first!.time)))).toBe(false);
    expect(second).toMatchObject({ level: 'warn', msg: 'held back', reason: 'step' });
    expect(third).toMatchObject({ level: 'error', msg: 'failed' });
  });

  it('silentLogger accepts every call and writes nothing', () => {
    expect(silentLogger.info('x', { a: 1 })).toBeUndefined();
    expect(silentLogger.warn('x')).toBeUndefined();
    expect(silentLogger.error('x')).toBeUndefined();
  });
});
