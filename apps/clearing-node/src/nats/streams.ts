import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { STREAMS } from '@omniclear/protocol';

// The one place the JetStream streams are defined (infra/nats documents the same settings).
// Names and subjects come from the protocol; storage and dedup windows are deployment choices.

/**
 * OMNI_IN: every input, in one total order (chain events and prices). File storage, kept
 * forever (the node's state is rebuilt by replaying it); a republished input with the same
 * `Nats-Msg-Id` within 2 minutes is dropped (gateways and feeds retry within that).
 */
export const OMNI_IN_STREAM: Partial<StreamConfig> & { name: string; subjects: string[] } = {
  name: STREAMS.IN.name,
  subjects: [...STREAMS.IN.subjects],
  storage: StorageType.File,
  retention: RetentionPolicy.Limits,
  discard: DiscardPolicy.Old,
  duplicate_window: nanos(STREAMS.IN.duplicateWindowMs),
};

/**
 * OMNI_OUT: orders, message id = order id. The 1 hour dedup window absorbs the re-publication
 * of orders when a restarted node replays OMNI_IN (the hub dispatches each id once anyway).
 */
export const OMNI_OUT_STREAM: Partial<StreamConfig> & { name: string; subjects: string[] } = {
  name: STREAMS.OUT.name,
  subjects: [...STREAMS.OUT.subjects],
  storage: StorageType.File,
  retention: RetentionPolicy.Limits,
  discard: DiscardPolicy.Old,
  duplicate_window: nanos(STREAMS.OUT.duplicateWindowMs),
};

export const STREAM_CONFIGS = [OMNI_IN_STREAM, OMNI_OUT_STREAM] as const;
