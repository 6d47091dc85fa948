import { OmniError } from '@omniclear/protocol';

/** Thrown when a query names an account that is not a 20-byte hex address. */
export class InvalidAddressError extends OmniError {
  override readonly name = 'InvalidAddressError' as const;
}

/** Thrown when a query's payload is not the expected shape (e.g. an RPC request without `address`). */
export class InvalidQueryError extends OmniError {
  override readonly name = 'InvalidQueryError' as const;
}

/** Thrown when the input stream cannot be followed any more (the node's state would go stale). */
export class InputStreamError extends OmniError {
  override readonly name = 'InputStreamError' as const;
}
