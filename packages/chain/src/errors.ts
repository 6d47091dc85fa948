import { OmniError } from '@omniclear/protocol';

/** Where a deployment failed: the step, the chain it ran on and the contract it concerned. */
export interface DeploymentErrorDetails extends Record<string, unknown> {
  readonly step: string;
  readonly chain: string;
  readonly contract?: string;
  /** The decoded revert (`ZeroSigner()`) or the RPC failure, when known. */
  readonly reason?: string;
}

/**
 * Thrown when a deployment step fails: the RPC is unreachable or on the wrong chain, a
 * transaction reverts (in estimation or on-chain), or a receipt never arrives.
 */
export class DeploymentError extends OmniError {
  override readonly name = 'DeploymentError' as const;
  declare readonly details: DeploymentErrorDetails;

  constructor(details: DeploymentErrorDetails, cause?: unknown) {
    const what = details.contract ? ` (${details.contract})` : '';
    const why = details.reason ? `: ${details.reason}` : '';
    super(`deployment step "${details.step}" failed on chain ${details.chain}${what}${why}`, { details, cause });
  }

  /** The failed step, e.g. `deploy ClearingHub`. */
  get step(): string {
    return this.details.step;
  }

  /** The chain's name. */
  get chain(): string {
    return this.details.chain;
  }

  /** The contract concerned, when the step concerns one. */
  get contract(): string | undefined {
    return this.details.contract;
  }
}
