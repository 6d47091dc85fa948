import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  decodeHubBoundMessage,
  encodeInputEvent,
  msgIds,
  parseInputEvent,
  STREAMS,
  subjects,
  type DispatchEvent,
  type HubEvent,
} from '@omniclear/protocol';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { HubClient, type HubDispatchLog, type HubLog, type HubMessageLog } from '../hub/hub.client.js';
import { NatsClient } from '../nats/nats.client.js';
import { Backoff, describeError, sleep } from '../util/backoff.js';

const SERVICE = 'chain-gateway';

/**
 * Where the follower is: the next log to publish is the first one in `block` after `afterLogIndex`
 * (-1: the whole block). Advanced after every acknowledged publish, so a retry resumes exactly there.
 */
export interface FollowCursor {
  block: bigint;
  afterLogIndex: number;
}

/** What `/health` and the tests can see of the follower. */
export interface FollowerStatus {
  readonly running: boolean;
  readonly cursor: FollowCursor | undefined;
  readonly lastBlock: { number: bigint; hash: string } | undefined;
  readonly published: number;
  /** Of those, events the stream already held (same msg id within its dedupe window). */
  readonly duplicates: number;
  /** Reorgs detected since start. */
  readonly reorgs: number;
  readonly consecutiveFailures: number;
}

/**
 * Follows the hub's `MessageReceived` and `OrderDispatched` logs into `OMNI_IN`, one `HubEvent` or
 * `DispatchEvent` per log, both on the hub's subject, in log order, each publish acknowledged
 * before the next. Only blocks at least `confirmations` below the head
 * are read. The cursor lives in the stream itself: on start the follower resumes after the last
 * event it published for this hub, so a restart publishes nothing twice and skips nothing.
 */
@Injectable()
export class HubFollowerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HubFollowerService.name);
  private readonly subject: string;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private cursor?: FollowCursor;
  /** The last fully processed block and its hash: if the hash changes, the chain reorganised under us. */
  private lastBlock?: { number: bigint; hash: `0x${string}` };
  private published = 0;
  private duplicates = 0;
  private reorgs = 0;
  private readonly backoff = new Backoff(250, 15_000);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly hub: HubClient,
    private readonly nats: NatsClient,
  ) {
    this.subject = subjects.hubEvent(config.hub.chainId);
  }

  onApplicationBootstrap(): void {
    this.loop = this.run(this.abort.signal);
  }

  /** Stops polling and waits for the publish in flight, so nothing is left half done at shutdown. */
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.logger.log(`follower stopped; next block ${this.cursor?.block ?? 'unknown'}`);
  }

  status(): FollowerStatus {
    return {
      running: this.loop !== undefined && !this.abort.signal.aborted,
      cursor: this.cursor ? { ...this.cursor } : undefined,
      lastBlock: this.lastBlock ? { ...this.lastBlock } : undefined,
      published: this.published,
      duplicates: this.duplicates,
      reorgs: this.reorgs,
      consecutiveFailures: this.backoff.failures,
    };
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (!this.cursor) {
          await this.nats.ensureStreams();
          this.cursor = await this.resumeCursor();
          this.logger.log(
            `following hub ${this.config.hub.address} on chain ${this.config.hub.chainId} from block ${this.cursor.block}` +
              (this.cursor.afterLogIndex >= 0 ? ` after log ${this.cursor.afterLogIndex}` : ''),
          );
        }
        const progressed = await this.step(this.cursor, signal);
        this.backoff.reset();
        if (!progressed) await sleep(this.config.follower.pollMs, signal);
      } catch (err) {
        const delay = this.backoff.next();
        this.logger.warn(
          `follower step failed (${describeError(err)}); retrying in ${delay} ms from block ${this.cursor?.block ?? '?'}`,
        );
        await sleep(delay, signal);
      }
    }
  }

  /**
   * After the last event this hub has in the stream, else the configured start block; a
   * configured re-read block below that wins (the checkpoint an operator re-reads from).
   */
  private async resumeCursor(): Promise<FollowCursor> {
    const reread = this.config.follower.rereadFromBlock;
    const last = await this.nats.lastMessage(STREAMS.IN.name, this.subject);
    if (!last) return { block: reread ?? this.config.follower.startBlock, afterLogIndex: -1 };
    const event = parseInputEvent(last.data);
    if (event.kind !== 'hub' && event.kind !== 'dispatch') {
      throw new Error(`unexpected ${event.kind} event on ${this.subject}`);
    }
    if (reread !== undefined && reread <= event.blockNumber) {
      this.logger.warn(`re-reading hub logs from block ${reread} (the stream holds up to block ${event.blockNumber})`);
      return { block: reread, afterLogIndex: -1 };
    }
    return { block: event.blockNumber, afterLogIndex: event.logIndex };
  }

  /**
   * Reads and publishes one bounded range of confirmed blocks.
   * @returns whether the cursor moved (false: caught up with the confirmed head).
   */
  private async step(cursor: FollowCursor, signal: AbortSignal): Promise<boolean> {
    if (await this.reorged()) return true;

    const head = await this.hub.head();
    const confirmedHead = head - BigInt(this.config.follower.confirmations);
    if (cursor.block > confirmedHead) return false;
    const toBlock = min(confirmedHead, cursor.block + BigInt(this.config.follower.blockRange) - 1n);

    // Taken before the logs: if the range reorganises while we read it, this hash goes stale and the next step notices.
    const toBlockHash = await this.hub.blockHash(toBlock);
    if (!toBlockHash) return false; // the node's head moved back between the two calls: try again next poll
    const logs = await this.hub.logs(cursor.block, toBlock);
    const timestamps = new Map<string, bigint>();
    for (const log of logs) {
      if (log.blockNumber === cursor.block && log.logIndex <= cursor.afterLogIndex) continue;
      if (signal.aborted) return true;
      await this.publishLog(log, timestamps);
      cursor.block = log.blockNumber;
      cursor.afterLogIndex = log.logIndex;
    }
    this.lastBlock = { number: toBlock, hash: toBlockHash };
    cursor.block = toBlock + 1n;
    cursor.afterLogIndex = -1;
    return true;
  }

  private async publishLog(log: HubLog, timestamps: Map<string, bigint>): Promise<void> {
    const msgId = msgIds.hubEvent(this.config.hub.chainId, log.txHash, log.logIndex);
    const data =
      log.event === 'MessageReceived'
        ? await this.messageEvent(log, msgId, timestamps)
        : await this.dispatchEvent(log, timestamps);
    if (data === undefined) return;
    const ack = await this.nats.publish(this.subject, data, msgId);
    this.published += 1;
    if (ack.duplicate) this.duplicates += 1;
    this.logger.debug?.(`published ${msgId} as ${ack.duplicate ? 'duplicate of ' : ''}seq ${ack.seq}`);
  }

  /** The `DispatchEvent` of an `OrderDispatched` log, encoded. */
  private async dispatchEvent(log: HubDispatchLog, timestamps: Map<string, bigint>): Promise<Uint8Array> {
    const event: DispatchEvent = {
      kind: 'dispatch',
      chainId: this.config.hub.chainId,
      blockNumber: log.blockNumber,
      blockTimestamp: await this.blockTimestamp(log.blockHash, timestamps),
      txHash: log.txHash,
      logIndex: log.logIndex,
      orderId: log.orderId,
      dstEid: log.dstEid,
      guid: log.guid,
    };
    return encodeInputEvent(event);
  }

  /**
   * The `HubEvent` of a `MessageReceived` log, encoded; undefined when its payload does not decode
   * (then dead-lettered, and the follower moves on).
   */
  private async messageEvent(
    log: HubMessageLog,
    msgId: string,
    timestamps: Map<string, bigint>,
  ): Promise<Uint8Array | undefined> {
    let message;
    try {
      message = decodeHubBoundMessage(log.payload);
    } catch (err) {
      // The hub validates payloads before emitting, so this means a hub/codec mismatch: report, never jam.
      await this.nats.deadLetter(subjects.dlq(SERVICE), {
        service: SERVICE,
        reason: `undecodable MessageReceived payload: ${describeError(err)}`,
        msgId,
        chainId: this.config.hub.chainId,
        blockNumber: log.blockNumber,
        txHash: log.txHash,
        logIndex: log.logIndex,
        srcEid: log.srcEid,
        msgType: log.msgType,
        payload: log.payload,
      });
      return undefined;
    }
    const event: HubEvent = {
      kind: 'hub',
      chainId: this.config.hub.chainId,
      blockNumber: log.blockNumber,
      blockTimestamp: await this.blockTimestamp(log.blockHash, timestamps),
      txHash: log.txHash,
      logIndex: log.logIndex,
      srcEid: log.srcEid,
      nonce: log.nonce,
      guid: log.guid,
      message,
    };
    return encodeInputEvent(event);
  }

  /** The block's timestamp, read once per block of a step. */
  private async blockTimestamp(blockHash: `0x${string}`, timestamps: Map<string, bigint>): Promise<bigint> {
    let t = timestamps.get(blockHash);
    if (t === undefined) {
      t = await this.hub.blockTimestamp(blockHash);
      timestamps.set(blockHash, t);
    }
    return t;
  }

  /**
   * Skeleton reorg handling: when the last processed block's hash changed, say so loudly and re-read
   * from `reorgDepth` blocks below it. Events of re-read blocks that survived the reorg keep their msg
   * ids and are deduped by the stream; events of orphaned blocks are not retracted (a later issue).
   */
  private async reorged(): Promise<boolean> {
    const last = this.lastBlock;
    if (!last || !this.cursor) return false;
    // A chain that became shorter no longer has the block at all: that is a reorg too.
    const now = (await this.hub.blockHash(last.number)) ?? 'missing';
    if (now === last.hash) return false;
    const rewindTo = max(this.config.follower.startBlock, last.number - BigInt(this.config.follower.reorgDepth));
    this.logger.error(
      `REORG on hub chain ${this.config.hub.chainId}: block ${last.number} was ${last.hash}, now ${now}; ` +
        `re-reading from block ${rewindTo}`,
    );
    this.reorgs += 1;
    this.cursor = { block: rewindTo, afterLogIndex: -1 };
    this.lastBlock = undefined;
    return true;
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
