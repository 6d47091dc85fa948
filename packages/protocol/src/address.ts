import type { Address } from 'viem';

import { checksumDigits } from './keccak.js';

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Addresses seen, by their exact spelling → the checksummed form (only valid ones). The input
 * stream and the orders name the same accounts and tokens over and over; a checksum is a keccak,
 * and viem's own caches (8,192 entries each) thrash past that many accounts. Bounded: the oldest
 * entry leaves first.
 */
const addresses = new Map<string, Address>();
const ADDRESS_CACHE_SIZE = 1 << 17;

/**
 * `v` checksummed (EIP-55) when it is an address viem's strict `isAddress` accepts — all lower
 * case, or exactly its own checksummed form — else undefined. From the bounded cache of spellings
 * seen, so an address named again costs a map lookup instead of a keccak. The input parser, the
 * zod schemas' address rule, order ids and EIP-712 digests all check addresses through it.
 * @example checksummedAddress('0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359') // '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'
 */
export function checksummedAddress(v: string): Address | undefined {
  const seen = addresses.get(v);
  if (seen !== undefined) return seen;
  if (!HEX_ADDRESS.test(v)) return undefined;
  const lower = v.toLowerCase();
  const checksummed = checksumDigits(lower.slice(2));
  // a lower-case address has no checksum to check; a mixed-case one must be its own checksummed form
  if (v !== checksummed && v !== lower) return undefined;
  if (addresses.size >= ADDRESS_CACHE_SIZE) addresses.delete(addresses.keys().next().value!);
  addresses.set(v, checksummed);
  return checksummed;
}
