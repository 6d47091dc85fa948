import { Injectable, Logger } from '@nestjs/common';
import { subjects } from '@omniclear/protocol';

import { NodeMetrics } from '../metrics/node-metrics.js';
import { NatsClient } from '../nats/nats.client.js';

export const SERVICE_NAME = 'clearing-node';

/** A message the node could not apply, as published on `omni.dlq.clearing-node`. */
export interface DeadLetter {
  service: string;
  reason: string;
  error: string;
  stream: string;
  seq: string;
  subject: string;
  /** The original body, base64. */
  data: string;
}

/**
 * Sends the input messages the node cannot apply to the dead-letter subject with the reason and
 * their stream position, so they can be inspected and replayed; the node then skips them.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);
  private sent = 0;

  constructor(
    private readonly nats: NatsClient,
    private readonly metrics: NodeMetrics,
  ) {}

  send(msg: { stream: string; seq: number; subject: string; data: Uint8Array }, error: Error): void {
    const letter: DeadLetter = {
      service: SERVICE_NAME,
      reason: error.message,
      error: error.name,
      stream: msg.stream,
      seq: String(msg.seq),
      subject: msg.subject,
      data: Buffer.from(msg.data).toString('base64'),
    };
    this.nats.publishCore(subjects.dlq(SERVICE_NAME), new TextEncoder().encode(JSON.stringify(letter)));
    this.sent += 1;
    // The class, not the message: a metric label must stay low-cardinality (the letter has the text).
    this.metrics.deadLetter(error.name);
    this.logger.warn(`${msg.stream}#${msg.seq} (${msg.subject}) dead-lettered: ${error.message}`);
  }

  get count(): number {
    return this.sent;
  }
}
