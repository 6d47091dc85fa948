import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { HubClient } from '../hub/hub.client.js';
import { describeError } from '../util/backoff.js';

/** The hub's signer set as the executor uses it: lowercase addresses and the threshold. */
export interface KnownSigners {
  readonly signers: ReadonlySet<string>;
  readonly threshold: number;
  /** The hub block the set was read at. */
  readonly block: bigint;
}

/**
 * The hub's clearing signer set, read from the chain at the first use, re-read whenever the hub
 * emitted `SignersSet` since (checked every `signersRefreshMs`), and on demand when a copy names
 * a signer the cached set lacks or the hub refused the signatures.
 */
@Injectable()
export class SignerSetCache implements OnModuleDestroy {
  private readonly logger = new Logger(SignerSetCache.name);
  private known: KnownSigners | undefined;
  private reading: Promise<KnownSigners> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly hub: HubClient,
  ) {}

  /** The cached set (read from the hub the first time). */
  async current(): Promise<KnownSigners> {
    this.startWatching();
    return this.known ?? this.read();
  }

  /**
   * Re-reads the set, unless it was read at the hub's current block already (a burst of copies
   * from a stranger costs one block-number read each, not a re-read of the set each).
   */
  async refresh(): Promise<KnownSigners> {
    if (this.known && (await this.hub.head()) <= this.known.block) return this.known;
    return this.read();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private read(): Promise<KnownSigners> {
    this.reading ??= (async () => {
      try {
        const block = await this.hub.head();
        const { signers, threshold } = await this.hub.signerSet();
        const next = { signers: new Set(signers.map((s) => s.toLowerCase())), threshold, block };
        if (!this.known || !sameSet(this.known, next)) {
          this.logger.log(`hub signer set: ${threshold} of [${signers.join(', ')}] (block ${block})`);
        }
        this.known = next;
        return next;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private startWatching(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.watch(), this.config.executor.signersRefreshMs);
    this.timer.unref();
  }

  /** Re-reads the set when the hub emitted `SignersSet` since the block it was read at. */
  private async watch(): Promise<void> {
    const known = this.known;
    if (!known) return;
    try {
      const head = await this.hub.head();
      if (head <= known.block) return;
      // past one log query's range, re-reading the set is the cheaper check
      if (head - known.block > BigInt(this.config.follower.blockRange)) await this.read();
      else if (await this.hub.signersChanged(known.block + 1n, head)) await this.read();
      else if (this.known === known) this.known = { ...known, block: head };
    } catch (err) {
      this.logger.warn(`could not check the hub's signer set (${describeError(err)})`);
    }
  }
}

function sameSet(a: KnownSigners, b: KnownSigners): boolean {
  return (
    a.threshold === b.threshold && a.signers.size === b.signers.size && [...a.signers].every((s) => b.signers.has(s))
  );
}
