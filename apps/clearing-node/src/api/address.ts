import { Injectable, type PipeTransform } from '@nestjs/common';
import { isAddress } from 'viem';

import { InvalidAddressError } from '../errors.js';

/**
 * Parses an account address from a query: 0x + 40 hex digits, lower case or with a valid
 * EIP-55 checksum (a mixed-case typo is refused rather than silently read as another account).
 */
export function parseAddress(value: unknown): string {
  if (typeof value !== 'string' || !isAddress(value)) {
    throw new InvalidAddressError(
      `invalid address ${JSON.stringify(String(value).slice(0, 100))}: expected 0x followed by 40 hex digits (lower case or EIP-55 checksummed)`,
      { details: { address: value } },
    );
  }
  return value.toLowerCase();
}

/** Route parameter pipe around {@link parseAddress}. */
@Injectable()
export class AddressPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return parseAddress(value);
  }
}

/** Query parameter pipe: absent → `undefined`, otherwise {@link parseAddress} (so `?account=` is a 400). */
@Injectable()
export class OptionalAddressPipe implements PipeTransform<unknown, string | undefined> {
  transform(value: unknown): string | undefined {
    return value === undefined ? undefined : parseAddress(value);
  }
}
