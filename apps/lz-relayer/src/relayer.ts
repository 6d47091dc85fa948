import {
  clearingHubAbi,
  collateralVaultAbi,
  createChainClients,
  describeRevert,
  endpointV2Abi,
  simpleMessageLibAbi,
  type ChainClients,
  type Deployment,
} from '@omniclear/chain';
import { OmniError } from '@omniclear/protocol';
import {
  BaseError,
  ContractFunctionRevertedError,
  ExecutionRevertedError,
  getAbiItem,
  getAddress,
  sliceHex,
  zeroHash,
  type Abi,
  type Address,
  type Hash,
  type Hex,
} from 'viem';
import { OptionsDecodeError, PacketDecodeError } from './errors.js';
import { silentLogger, type Logger } from '@omniclear/observability';
import { parseExecutorOptions } from './options.js';
import { decodePacket, type Packet } from './packet.js';

/** One chain the relayer serves: where its EndpointV2 and SimpleMessageLib live. */
export interface RelayerChain {
  readonly name?: string;
  readonly chainId: number;
  readonly eid: number;
  readonly rpcUrl: string;
  readonly endpoint: Address;
  readonly messageLib: Address;
}

/**
 * The relayer's view of a deployment from `@omniclear/chain`: every chain's RPC, endpoint and message library.
 * @example new Relayer({ chains: relayerChainsFromDeployment(deployment), privateKey });
 */
export function relayerChainsFromDeployment(deployment: Deployment): RelayerChain[] {
  return deployment.chains.map((c) => ({
    name: c.name,
    chainId: c.chainId,
    eid: c.eid,
    rpcUrl: c.rpcUrl,
    endpoint: c.endpoint,
    messageLib: c.messageLib,
  }));
}

/** How the relayer runs. Only `chains` and `privateKey` are required. */
export interface RelayerOptions {
  readonly chains: readonly RelayerChain[];
  /** Signs `validatePacket` and `lzReceive` on every chain; must hold native currency for gas (and lzReceive values). */
  readonly privateKey: Hex;
  /** Pause between polling rounds, in ms. Default 500. */
  readonly pollMs?: number;
  /** lzReceive gas when a packet's options carry none. Default 200 000. */
  readonly defaultGas?: bigint;
  /** First block scanned on every chain. Default 0: re-reading old blocks is safe (deliveries are idempotent). */
  readonly startBlock?: bigint;
  /** Most blocks per `eth_getLogs` request. Default 2 000. */
  readonly maxBlockRange?: bigint;
  /** Attempts of a reverting delivery before it is given up (it stays verified at the endpoint). Default 6. */
  readonly maxAttempts?: number;
  /** First retry delay in ms; doubles per attempt, capped at 30 s. Default 500. */
  readonly backoffMs?: number;
  /** Gas added to the options' lzReceive gas for the endpoint's own work in `lzReceive`. Default 100 000. */
  readonly gasOverhead?: bigint;
  readonly logger?: Logger;
  /** Called for every verification, delivery, failure and skip (tests and metrics). */
  readonly onReport?: (report: DeliveryReport) => void;
}

/** What happened to a packet. */
export type DeliveryOutcome = 'verified' | 'delivered' | 'already_delivered' | 'failed' | 'abandoned' | 'skipped';

/** A packet's path and nonce: its identity at the destination endpoint. */
export interface PacketPath {
  readonly srcEid: number;
  readonly dstEid: number;
  readonly sender: Hex;
  readonly receiver: Hex;
  readonly nonce: bigint;
}

/** One event of a packet's life in the relayer. */
export interface DeliveryReport {
  readonly outcome: DeliveryOutcome;
  readonly path: PacketPath;
  readonly guid?: Hex;
  /** Attempt number for `failed` and `abandoned`. */
  readonly attempt?: number;
  /** Decoded revert reason or error for `failed`, `abandoned` and `skipped`. */
  readonly reason?: string;
  readonly txHash?: Hash;
  /** Delay before the next attempt, for `failed`. */
  readonly retryInMs?: number;
}

/** Counters since start. */
export interface RelayerStats {
  packetsSeen: number;
  verified: number;
  delivered: number;
  alreadyDelivered: number;
  failedAttempts: number;
  abandoned: number;
  skipped: number;
}

/** Thrown by {@link Relayer.start} when a configured chain does not match its RPC or endpoint. */
export class RelayerStartError extends OmniError {
  override readonly name = 'RelayerStartError' as const;
}

/** Thrown (and caught) when a stored payload hash differs from the packet's: retrying cannot help. */
class PayloadMismatchError extends OmniError {
  override readonly name = 'PayloadMismatchError' as const;
}

/** Thrown (and caught) when an `lzReceive` transaction was mined but reverted (typically out of gas). */
class ReceiveRevertedError extends OmniError {
  override readonly name = 'ReceiveRevertedError' as const;
}

interface ChainState {
  readonly cfg: RelayerChain;
  readonly label: string;
  readonly clients: ChainClients;
  nextBlock: bigint;
  /** Deliveries destined to this chain, in arrival order. */
  readonly queue: Job[];
}

interface Job {
  readonly key: string;
  readonly packet: Packet;
  readonly gas: bigint;
  readonly value: bigint;
  attempts: number;
  nextAttemptAt: number;
}

const packetSentEvent = getAbiItem({ abi: endpointV2Abi, name: 'PacketSent' });

// Every custom error a delivery can bubble up: endpoint, message lib and both OApps.
const revertAbi = [...endpointV2Abi, ...simpleMessageLibAbi, ...clearingHubAbi, ...collateralVaultAbi].filter(
  (item) => item.type === 'error',
) as Abi;

const MAX_BACKOFF_MS = 30_000;

/**
 * Devnet stand-in for a LayerZero DVN and executor, on the real EndpointV2: follows `PacketSent`
 * on every chain, verifies each packet through the destination's SimpleMessageLib and executes
 * `lzReceive` with the gas and value of the packet's executor options.
 *
 * Restart-safe: before each step it reads the destination endpoint's state (payload hash, lazy
 * inbound nonce), so re-reading old blocks never verifies or delivers twice. A reverting delivery
 * is reported with its decoded reason and retried with backoff, while other packets go on; after
 * `maxAttempts` it is given up and stays verified at the endpoint for a later retry.
 *
 * @example
 * const relayer = new Relayer({ chains, privateKey, logger: jsonLogger('lz-relayer') });
 * await relayer.start();
 * // …
 * await relayer.stop();
 */
export class Relayer {
  readonly stats: RelayerStats = {
    packetsSeen: 0,
    verified: 0,
    delivered: 0,
    alreadyDelivered: 0,
    failedAttempts: 0,
    abandoned: 0,
    skipped: 0,
  };

  private readonly chains = new Map<number, ChainState>();
  private readonly queued = new Set<string>();
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly defaultGas: bigint;
  private readonly maxBlockRange: bigint;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly gasOverhead: bigint;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: RelayerOptions) {
    this.log = opts.logger ?? silentLogger;
    this.pollMs = opts.pollMs ?? 500;
    this.defaultGas = opts.defaultGas ?? 200_000n;
    this.maxBlockRange = opts.maxBlockRange ?? 2_000n;
    this.maxAttempts = opts.maxAttempts ?? 6;
    this.backoffMs = opts.backoffMs ?? 500;
    this.gasOverhead = opts.gasOverhead ?? 100_000n;
    for (const cfg of opts.chains) {
      if (this.chains.has(cfg.eid)) throw new RelayerStartError(`eid ${cfg.eid} configured twice`);
      const label = cfg.name ?? `eid-${cfg.eid}`;
      this.chains.set(cfg.eid, {
        cfg,
        label,
        clients: createChainClients({
          rpcUrl: cfg.rpcUrl,
          chainId: cfg.chainId,
          privateKey: opts.privateKey,
          name: label,
        }),
        nextBlock: opts.startBlock ?? 0n,
        queue: [],
      });
    }
  }

  /** The relayer's signing address. */
  get address(): Address {
    return [...this.chains.values()][0]!.clients.account.address;
  }

  /** Packets waiting for (another) delivery attempt. */
  get pending(): number {
    return this.queued.size;
  }

  /**
   * Checks every chain (chain id, endpoint eid) and starts polling in the background.
   * @throws {RelayerStartError} when a chain is unreachable or does not match its configuration.
   */
  async start(): Promise<void> {
    if (this.running) return;
    await Promise.all([...this.chains.values()].map((c) => this.checkChain(c)));
    this.running = true;
    this.log.info('relayer started', {
      address: this.address,
      chains: [...this.chains.values()].map((c) => ({ name: c.label, eid: c.cfg.eid, chainId: c.cfg.chainId })),
    });
    this.loop = this.run();
  }

  /** Stops after the current round; in-flight transactions finish first. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.log.info('relayer stopped', { ...this.stats });
  }

  /** One round: scan every chain for new packets, then attempt every due delivery. */
  async tick(): Promise<void> {
    await Promise.all([...this.chains.values()].map((c) => this.scan(c)));
    await Promise.all([...this.chains.values()].map((c) => this.drain(c)));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.tick();
      } catch (err) {
        // tick() handles its own failures per chain; this is a last line of defence for the loop.
        this.log.error('round failed', { error: String(err) });
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async checkChain(c: ChainState): Promise<void> {
    try {
      const [chainId, eid] = await Promise.all([
        c.clients.public.getChainId(),
        c.clients.public.readContract({ address: c.cfg.endpoint, abi: endpointV2Abi, functionName: 'eid' }),
      ]);
      if (chainId !== c.cfg.chainId) throw new Error(`RPC reports chain id ${chainId}, configured ${c.cfg.chainId}`);
      if (eid !== c.cfg.eid) throw new Error(`endpoint ${c.cfg.endpoint} has eid ${eid}, configured ${c.cfg.eid}`);
    } catch (cause) {
      const reason = cause instanceof BaseError ? cause.shortMessage : (cause as Error).message;
      throw new RelayerStartError(`chain ${c.label} (${c.cfg.rpcUrl}) is not usable: ${reason}`, {
        details: { chain: c.label, eid: c.cfg.eid },
        cause,
      });
    }
  }

  private async scan(c: ChainState): Promise<void> {
    try {
      // No cached block number: a round must see the blocks its own previous deliveries mined.
      const latest = await c.clients.public.getBlockNumber({ cacheTime: 0 });
      while (c.nextBlock <= latest) {
        const toBlock = c.nextBlock + this.maxBlockRange - 1n < latest ? c.nextBlock + this.maxBlockRange - 1n : latest;
        const logs = await c.clients.public.getLogs({
          address: c.cfg.endpoint,
          event: packetSentEvent,
          fromBlock: c.nextBlock,
          toBlock,
        });
        for (const log of logs) this.accept(c, log.args.encodedPayload, log.args.options, log.transactionHash);
        c.nextBlock = toBlock + 1n;
      }
    } catch (err) {
      this.log.warn('scan failed', { chain: c.label, fromBlock: c.nextBlock, error: errorText(err) });
    }
  }

  private accept(src: ChainState, encoded: Hex | undefined, options: Hex | undefined, txHash: Hash | null): void {
    let packet: Packet;
    try {
      packet = decodePacket(encoded ?? '0x');
    } catch (err) {
      if (!(err instanceof PacketDecodeError)) throw err;
      this.log.error('undecodable packet', { chain: src.label, txHash, error: err.message });
      this.stats.skipped += 1;
      return;
    }
    this.stats.packetsSeen += 1;
    const path = pathOf(packet);
    const key = `${path.srcEid}:${path.sender}:${path.dstEid}:${path.receiver}:${path.nonce}`;
    if (this.queued.has(key)) return;
    const dst = this.chains.get(packet.dstEid);
    if (!dst || packet.srcEid !== src.cfg.eid) {
      const reason = dst
        ? `srcEid ${packet.srcEid} emitted on eid ${src.cfg.eid}`
        : `no chain configured for dstEid ${packet.dstEid}`;
      this.report({ outcome: 'skipped', path, guid: packet.guid, reason });
      return;
    }
    let gas = this.defaultGas;
    let value = 0n;
    try {
      const executor = parseExecutorOptions(options ?? '0x');
      if (executor && executor.gas > 0n) gas = executor.gas;
      if (executor) value = executor.value;
    } catch (err) {
      if (!(err instanceof OptionsDecodeError)) throw err;
      this.log.warn('unparsable options, using the default gas', { key, options, error: err.message });
    }
    this.queued.add(key);
    dst.queue.push({ key, packet, gas, value, attempts: 0, nextAttemptAt: 0 });
    this.log.info('packet seen', { ...path, guid: packet.guid, gas, value, txHash });
  }

  private async drain(dst: ChainState): Promise<void> {
    for (const job of [...dst.queue]) {
      // stop() was called mid-round: leave the rest queued rather than delay shutdown.
      if (!this.running && this.loop) return;
      if (job.nextAttemptAt > Date.now()) continue;
      const done = await this.attempt(dst, job);
      if (done) {
        dst.queue.splice(dst.queue.indexOf(job), 1);
        this.queued.delete(job.key);
      }
    }
  }

  /** Runs one delivery attempt; true when the job is finished (delivered, already delivered or given up). */
  private async attempt(dst: ChainState, job: Job): Promise<boolean> {
    const path = pathOf(job.packet);
    try {
      const txHash = await this.deliver(dst, job);
      if (txHash) this.report({ outcome: 'delivered', path, guid: job.packet.guid, txHash });
      else this.report({ outcome: 'already_delivered', path, guid: job.packet.guid });
      return true;
    } catch (err) {
      const reason = err instanceof OmniError ? err.message : describeRevert(err, revertAbi);
      if (err instanceof PayloadMismatchError) {
        this.report({ outcome: 'abandoned', path, guid: job.packet.guid, reason, attempt: job.attempts + 1 });
        return true;
      }
      // Only reverts count against the limit; an unreachable RPC is waited out.
      const counted = isRevert(err);
      if (counted) job.attempts += 1;
      if (counted && job.attempts >= this.maxAttempts) {
        this.report({ outcome: 'abandoned', path, guid: job.packet.guid, reason, attempt: job.attempts });
        return true;
      }
      const delay = Math.min(this.backoffMs * 2 ** Math.max(job.attempts - 1, 0), MAX_BACKOFF_MS);
      job.nextAttemptAt = Date.now() + delay;
      this.report({ outcome: 'failed', path, guid: job.packet.guid, reason, attempt: job.attempts, retryInMs: delay });
      return false;
    }
  }

  /**
   * Verifies (if needed) and executes one packet at its destination. Returns the `lzReceive`
   * transaction hash, or undefined when the endpoint shows the packet already delivered.
   */
  private async deliver(dst: ChainState, job: Job): Promise<Hash | undefined> {
    const { packet } = job;
    const { public: pub, wallet, account } = dst.clients;
    const endpoint = dst.cfg.endpoint;
    const receiver = getAddress(sliceHex(packet.receiver, 12));
    const channel = [receiver, packet.srcEid, packet.sender] as const;
    const [stored, lazyNonce] = await Promise.all([
      pub.readContract({
        address: endpoint,
        abi: endpointV2Abi,
        functionName: 'inboundPayloadHash',
        args: [...channel, packet.nonce],
      }),
      pub.readContract({ address: endpoint, abi: endpointV2Abi, functionName: 'lazyInboundNonce', args: channel }),
    ]);

    if (stored === zeroHash) {
      // Cleared hash at or below the lazy nonce: lzReceive already ran (or the OApp burnt/skipped it).
      if (packet.nonce <= lazyNonce) return undefined;
      const hash = await wallet.writeContract({
        account,
        chain: wallet.chain,
        address: dst.cfg.messageLib,
        abi: simpleMessageLibAbi,
        functionName: 'validatePacket',
        args: [packet.encoded],
      });
      const receipt = await pub.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new ReceiveRevertedError(`validatePacket ${hash} reverted on-chain`);
      this.report({ outcome: 'verified', path: pathOf(packet), guid: packet.guid, txHash: hash });
    } else if (stored !== packet.payloadHash) {
      throw new PayloadMismatchError(
        `endpoint holds payload hash ${stored} for this nonce, packet hashes to ${packet.payloadHash}`,
      );
    }

    const gas = job.gas + this.gasOverhead;
    const origin = { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce };
    const call = {
      account,
      chain: wallet.chain,
      address: endpoint,
      abi: endpointV2Abi,
      functionName: 'lzReceive',
      args: [origin, receiver, packet.guid, packet.message, '0x'],
      value: job.value,
      gas,
    } as const;
    // Simulate first: a refusing OApp costs no transaction, and its revert data decodes cleanly.
    await pub.simulateContract(call);
    const hash = await wallet.writeContract(call);
    const receipt = await pub.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      throw new ReceiveRevertedError(
        `lzReceive ${hash} reverted on-chain with gas limit ${gas} (${receipt.gasUsed} used)`,
      );
    }
    return hash;
  }

  private report(report: DeliveryReport): void {
    const counter: Record<DeliveryOutcome, keyof RelayerStats> = {
      verified: 'verified',
      delivered: 'delivered',
      already_delivered: 'alreadyDelivered',
      failed: 'failedAttempts',
      abandoned: 'abandoned',
      skipped: 'skipped',
    };
    this.stats[counter[report.outcome]] += 1;
    const fields = {
      ...report.path,
      guid: report.guid,
      attempt: report.attempt,
      reason: report.reason,
      txHash: report.txHash,
      retryInMs: report.retryInMs,
    };
    const msg = `packet ${report.outcome.replace('_', ' ')}`;
    if (report.outcome === 'failed' || report.outcome === 'skipped') this.log.warn(msg, fields);
    else if (report.outcome === 'abandoned') this.log.error(msg, fields);
    else this.log.info(msg, fields);
    this.opts.onReport?.(report);
  }
}

function pathOf(p: Packet): PacketPath {
  return { srcEid: p.srcEid, dstEid: p.dstEid, sender: p.sender, receiver: p.receiver, nonce: p.nonce };
}

function isRevert(err: unknown): boolean {
  if (err instanceof ReceiveRevertedError) return true;
  if (!(err instanceof BaseError)) return false;
  return Boolean(err.walk((e) => e instanceof ContractFunctionRevertedError || e instanceof ExecutionRevertedError));
}

function errorText(err: unknown): string {
  return err instanceof BaseError ? err.shortMessage : String(err);
}
