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

/**
 * Thrown when the signer thread cannot answer: it crashed or exited (every request it held is
 * rejected with this), was stopped, or could not sign a digest. The publisher signs in its own
 * thread instead, so no order is lost.
 */
export class SignerThreadError extends OmniError {
  override readonly name = 'SignerThreadError' as const;
}
