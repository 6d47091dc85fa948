import { OmniError } from '@omniclear/protocol';

/** One problem of a network deployment config: where (`hub.executor.address`, `pathways[1].send`) and what. */
export interface NetworkIssue {
  /** Path of the offending field in the config file, e.g. `spokes[0].dvns.lz-labs`. */
  readonly path: string;
  readonly message: string;
}

function listed(issues: readonly NetworkIssue[]): string {
  return issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Thrown when a network deployment config does not have the expected shape (a missing field, a
 * malformed address, an unset environment variable named by the config). Lists every issue with
 * the path of its field. Values of environment variables are never echoed (they may be secrets).
 */
export class NetworkConfigError extends OmniError {
  override readonly name = 'NetworkConfigError' as const;
  declare readonly details: { issues: NetworkIssue[] };

  constructor(issues: NetworkIssue[], opts: { source?: string; cause?: unknown } = {}) {
    const where = opts.source ? ` ${opts.source}` : '';
    super(`invalid network config${where}: ${listed(issues)}`, { details: { issues }, cause: opts.cause });
  }

  get issues(): readonly NetworkIssue[] {
    return this.details.issues;
  }
}

/**
 * Thrown by `checkPathways` (and so by `deployNetwork` before it sends anything) when a pathway
 * is unsafe or incomplete: fewer than two required DVNs, duplicate DVNs, zero confirmations, a
 * missing or too small enforced option, send and receive sides that disagree. Lists every problem.
 */
export class PathwayCheckError extends OmniError {
  override readonly name = 'PathwayCheckError' as const;
  declare readonly details: { problems: NetworkIssue[] };

  constructor(problems: NetworkIssue[]) {
    super(`pathway check refused the config (${problems.length} problem(s)): ${listed(problems)}`, {
      details: { problems },
    });
  }

  get problems(): readonly NetworkIssue[] {
    return this.details.problems;
  }
}

/**
 * Thrown after a deployment when what the endpoints and OApps report differs from what was
 * configured (read back with `getConfig`, `getSendLibrary`, `enforcedOptions`, `peers`…). Lists
 * every difference, each with the chain and the setting.
 */
export class NetworkVerificationError extends OmniError {
  override readonly name = 'NetworkVerificationError' as const;
  declare readonly details: { mismatches: NetworkIssue[] };

  constructor(mismatches: NetworkIssue[]) {
    super(`deployed configuration differs from the config: ${listed(mismatches)}`, { details: { mismatches } });
  }

  get mismatches(): readonly NetworkIssue[] {
    return this.details.mismatches;
  }
}
