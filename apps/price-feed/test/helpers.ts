import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parseInputEvent, STREAMS, type InputEvent, type MarkEvent, type PriceEvent } from '@omniclear/protocol';

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A stored price with its stream sequence and msg id. */
export interface StoredPrice {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly event: PriceEvent;
}

/** A stored mark event with its stream sequence and msg id. */
export interface StoredMark {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly event: MarkEvent;
}

/** Every price of `OMNI_IN` (in stream order), optionally only those on `subject`. */
export async function readStream(url: string, subject?: string): Promise<StoredPrice[]> {
  return (await readAll(url, subject)).filter((s): s is StoredPrice => s.event.kind === 'price');
}

/** Every mark event of `OMNI_IN` (in stream order), optionally only those on `subject`. */
export async function readMarks(url: string, subject?: string): Promise<StoredMark[]> {
  return (await readAll(url, subject)).filter((s): s is StoredMark => s.event.kind === 'mark');
}

/** Every message of `OMNI_IN` (in stream order), optionally only those on `subject`. */
export async function readAll(
  url: string,
  subject?: string,
): Promise<{ seq: number; subject: string; msgId: string | undefined; event: InputEvent }[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    let last: number;
    try {
      last = (await jsm.streams.info(STREAMS.IN.name)).state.last_seq;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return [];
      throw err;
    }
    const out: { seq: number; subject: string; msgId: string | undefined; event: InputEvent }[] = [];
    for (let seq = 1; seq <= last; seq++) {
      const msg = await jsm.streams.getMessage(STREAMS.IN.name, { seq });
      if (!msg || (subject !== undefined && msg.subject !== subject)) continue;
      const event = parseInputEvent(msg.data);
      out.push({ seq, subject: msg.subject, msgId: msg.header?.get('Nats-Msg-Id'), event });
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** The number of messages `OMNI_IN` holds. */
export async function streamCount(url: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(STREAMS.IN.name)).state.messages;
  } finally {
    await nc.close();
  }
}
