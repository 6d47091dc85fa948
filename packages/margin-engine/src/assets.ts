import { InvalidInputError } from './errors.js';
import type { Address, AssetConfig } from './types.js';
import * as v from './validate.js';

/** A configured collateral asset, validated and normalized. */
export interface Asset {
  readonly symbol: string;
  readonly decimals: number;
  /** 10^decimals, precomputed for valuation. */
  readonly scale: bigint;
}

const SYMBOL = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Maps (eid, token) to the asset it represents. Built once from configuration; a token that is not
 * in it is not collateral (valued at zero).
 */
export class AssetRegistry {
  private readonly bySymbol = new Map<string, Asset>();
  private readonly byToken = new Map<string, Asset>();

  constructor(assets: ReadonlyArray<AssetConfig>) {
    if (!Array.isArray(assets)) throw new InvalidInputError('assets', 'expected an array');
    assets.forEach((raw, i) => {
      const at = `assets[${i}]`;
      const cfg = v.record(at, raw);
      if (typeof cfg.symbol !== 'string' || !SYMBOL.test(cfg.symbol)) {
        throw new InvalidInputError(`${at}.symbol`, 'expected 1-32 letters, digits, "_" or "-"');
      }
      if (this.bySymbol.has(cfg.symbol)) throw new InvalidInputError(`${at}.symbol`, `duplicate symbol ${cfg.symbol}`);
      const decimals = cfg.decimals;
      if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
        throw new InvalidInputError(`${at}.decimals`, 'expected an integer in [0, 77]');
      }
      const asset: Asset = { symbol: cfg.symbol, decimals, scale: 10n ** BigInt(decimals) };
      if (!Array.isArray(cfg.tokens)) throw new InvalidInputError(`${at}.tokens`, 'expected an array');
      (cfg.tokens as unknown[]).forEach((t, j) => {
        const entry = v.record(`${at}.tokens[${j}]`, t);
        const key = tokenKey(
          v.eid(`${at}.tokens[${j}].eid`, entry.eid),
          v.address(`${at}.tokens[${j}].token`, entry.token),
        );
        if (this.byToken.has(key)) throw new InvalidInputError(`${at}.tokens[${j}]`, `token ${key} is mapped twice`);
        this.byToken.set(key, asset);
      });
      this.bySymbol.set(asset.symbol, asset);
    });
  }

  /** The asset a token on a chain represents, or undefined if it is not collateral. */
  assetOf(eid: number, token: Address): Asset | undefined {
    return this.byToken.get(tokenKey(eid, token));
  }

  /** The asset named `symbol`, or undefined. */
  get(symbol: string): Asset | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Configured symbols in sorted order. */
  symbols(): string[] {
    return [...this.bySymbol.keys()].sort();
  }
}

/** Key of a (chain, token) pair; tokens are lower-case so the key is canonical. */
export function tokenKey(eid: number, token: Address): string {
  return `${eid}:${token}`;
}
