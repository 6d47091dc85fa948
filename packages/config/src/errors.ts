import { OmniError } from '@omniclear/protocol';

/** One bad configuration key and why; `key` is the env var, with a nested path for JSON values. */
export interface ConfigIssue {
  key: string;
  message: string;
}

/**
 * Thrown at boot when the environment does not satisfy the app's config schema. The message lists
 * every bad key, e.g. `invalid configuration: OMNI_NATS_URL: expected a nats:// URL;
 * OMNI_HUB_RPC_URL: required`. Values are never echoed (they may be secrets).
 */
export class ConfigError extends OmniError {
  override readonly name = 'ConfigError' as const;
  declare readonly details: { issues: ConfigIssue[] };

  constructor(issues: ConfigIssue[], opts: { cause?: unknown } = {}) {
    super(`invalid configuration: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`, {
      details: { issues },
      cause: opts.cause,
    });
  }
}
