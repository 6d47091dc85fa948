/**
 * The error base of the whole project, after viem's `BaseError`: a literal `name`, a short
 * message, structured `details` and the `cause`.
 *
 * @example
 * class NotFoundError extends OmniError {
 *   override readonly name = 'NotFoundError' as const;
 * }
 */
export class OmniError extends Error {
  override readonly name: string = 'OmniError';
  readonly details: Record<string, unknown>;
  override readonly cause: unknown;

  constructor(message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.details = opts.details ?? {};
    this.cause = opts.cause;
  }
}

/** Base of the errors a LayerZero payload is refused with (both when decoding and encoding). */
export class PayloadError extends OmniError {
  override readonly name: string = 'PayloadError';
}

/** Thrown when a payload's `version` is not {@link PROTOCOL_VERSION}. Mirrors Solidity `UnsupportedVersion`. */
export class UnsupportedVersionError extends PayloadError {
  override readonly name = 'UnsupportedVersionError' as const;
}

/** Thrown when a payload's `msgType` is unknown, or not accepted in this direction. Mirrors `UnknownMessageType`. */
export class UnknownMessageTypeError extends PayloadError {
  override readonly name = 'UnknownMessageTypeError' as const;
}

/**
 * Thrown when a payload has the wrong length for its type, a non-canonical word (dirty high bits
 * of an address, `uint64` or `bool`), or a message cannot be encoded because a field is out of
 * range. Mirrors `MalformedPayload`.
 */
export class MalformedPayloadError extends PayloadError {
  override readonly name = 'MalformedPayloadError' as const;
}

/** Thrown when a JSON event or order does not match its schema; the message names the field path. */
export class EventSchemaError extends OmniError {
  override readonly name = 'EventSchemaError' as const;
}

/** Thrown when a NATS subject or message id would be built from an invalid token. */
export class SubjectError extends OmniError {
  override readonly name = 'SubjectError' as const;
}
