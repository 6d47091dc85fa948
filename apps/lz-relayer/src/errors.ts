import { OmniError } from '@omniclear/protocol';

/** Thrown when a `PacketSent` payload is not a well-formed PacketV1. */
export class PacketDecodeError extends OmniError {
  override readonly name = 'PacketDecodeError' as const;
}

/** Thrown when a packet's executor options cannot be parsed. */
export class OptionsDecodeError extends OmniError {
  override readonly name = 'OptionsDecodeError' as const;
}
