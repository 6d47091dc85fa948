import { OmniError } from '@omniclear/protocol';

/** Base of the chain gateway's own errors. */
export class GatewayError extends OmniError {
  override readonly name: string = 'GatewayError';
}

/**
 * Thrown when the hub reverted (in simulation or on chain) with a decodable custom error; `errorName`
 * is the Solidity error (e.g. `OrderAlreadyDispatched`), `args` its arguments.
 */
export class HubRevertError extends GatewayError {
  override readonly name = 'HubRevertError' as const;

  constructor(
    readonly errorName: string,
    readonly args: readonly unknown[],
    opts: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(`hub reverted with ${errorName}(${args.map(String).join(', ')})`, opts);
  }
}

/** Thrown when a dispatch transaction was mined but reverted and the order is still not dispatched. */
export class DispatchFailedError extends GatewayError {
  override readonly name = 'DispatchFailedError' as const;
}

/** Thrown when JetStream refused a publish or did not acknowledge it in time. */
export class PublishError extends GatewayError {
  override readonly name = 'PublishError' as const;
}
