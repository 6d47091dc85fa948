import { keccak256, sliceHex, hexToNumber, hexToBigInt, size, type Hex } from 'viem';
import { PacketDecodeError } from './errors.js';

/** A LayerZero PacketV1 as `EndpointV2` emits it in `PacketSent.encodedPayload`. */
export interface Packet {
  readonly version: number;
  readonly nonce: bigint;
  readonly srcEid: number;
  /** The sending OApp, bytes32 (left-padded address on EVM). */
  readonly sender: Hex;
  readonly dstEid: number;
  /** The receiving OApp, bytes32. */
  readonly receiver: Hex;
  readonly guid: Hex;
  readonly message: Hex;
  /** `guid ‖ message`: what the endpoint stores the hash of when the packet is verified. */
  readonly payload: Hex;
  readonly payloadHash: Hex;
  /** The whole encoded packet, as `SimpleMessageLib.validatePacket` takes it. */
  readonly encoded: Hex;
}

// Byte offsets of PacketV1Codec.sol: version(1) nonce(8) srcEid(4) sender(32) dstEid(4) receiver(32) guid(32) message.
const NONCE = 1;
const SRC_EID = 9;
const SENDER = 13;
const DST_EID = 45;
const RECEIVER = 49;
const GUID = 81;
const MESSAGE = 113;

/** The only packet version EndpointV2 and SimpleMessageLib produce. */
export const PACKET_VERSION = 1;

/**
 * Decodes a PacketV1 (see `PacketV1Codec.sol` in `@layerzerolabs/lz-evm-protocol-v2`).
 * @throws {PacketDecodeError} when it is shorter than a header or of another version.
 * @example const packet = decodePacket(log.args.encodedPayload);
 */
export function decodePacket(encoded: Hex): Packet {
  if (!/^0x[0-9a-fA-F]*$/.test(encoded) || encoded.length % 2 !== 0) {
    throw new PacketDecodeError('packet is not hex', { details: { encoded } });
  }
  if (size(encoded) < MESSAGE) {
    throw new PacketDecodeError(`packet of ${size(encoded)} bytes is shorter than its ${MESSAGE}-byte header`, {
      details: { encoded },
    });
  }
  const version = hexToNumber(sliceHex(encoded, 0, NONCE));
  if (version !== PACKET_VERSION) {
    throw new PacketDecodeError(`unsupported packet version ${version}`, { details: { encoded } });
  }
  const payload = sliceHex(encoded, GUID);
  return {
    version,
    nonce: hexToBigInt(sliceHex(encoded, NONCE, SRC_EID)),
    srcEid: hexToNumber(sliceHex(encoded, SRC_EID, SENDER)),
    sender: sliceHex(encoded, SENDER, DST_EID),
    dstEid: hexToNumber(sliceHex(encoded, DST_EID, RECEIVER)),
    receiver: sliceHex(encoded, RECEIVER, GUID),
    guid: sliceHex(encoded, GUID, MESSAGE),
    // viem's sliceHex returns '0x' for an empty tail; keep that explicit.
    message: size(encoded) === MESSAGE ? '0x' : sliceHex(encoded, MESSAGE),
    payload,
    payloadHash: keccak256(payload),
    encoded,
  };
}
