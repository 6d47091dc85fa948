import { encodePacked, keccak256, pad, concat, type Hex } from 'viem';
import { decodePacket, OptionsDecodeError, PacketDecodeError, parseExecutorOptions } from '../src/index.js';

const sender = pad('0x5FbDB2315678afecb367f032d93F642f64180aa3', { size: 32 });
const receiver = pad('0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', { size: 32 });
const guid = keccak256('0x01');

function packet(message: Hex): Hex {
  // PacketV1Codec.encode: version, nonce, srcEid, sender, dstEid, receiver, guid, message.
  return encodePacked(
    ['uint8', 'uint64', 'uint32', 'bytes32', 'uint32', 'bytes32', 'bytes32', 'bytes'],
    [1, 7n, 40102, sender, 40101, receiver, guid, message],
  );
}

describe('decodePacket', () => {
  it('decodes every PacketV1 field and the payload hash the endpoint stores', () => {
    const p = decodePacket(packet('0xdeadbeef'));
    expect(p).toMatchObject({
      version: 1,
      nonce: 7n,
      srcEid: 40102,
      sender,
      dstEid: 40101,
      receiver,
      guid,
      message: '0xdeadbeef',
    });
    expect(p.payload).toBe(concat([guid, '0xdeadbeef']));
    expect(p.payloadHash).toBe(keccak256(concat([guid, '0xdeadbeef'])));
  });

  it('accepts an empty message', () => {
    expect(decodePacket(packet('0x')).message).toBe('0x');
  });

  it('refuses a truncated header or another version', () => {
    expect(() => decodePacket(packet('0x').slice(0, 100) as Hex)).toThrow(PacketDecodeError);
    expect(() => decodePacket(`0x02${packet('0x').slice(4)}`)).toThrow(/version 2/);
  });
});

describe('parseExecutorOptions', () => {
  const lzReceive = (gas: bigint, value?: bigint): Hex =>
    value === undefined
      ? encodePacked(['uint8', 'uint16', 'uint8', 'uint128'], [1, 17, 1, gas])
      : encodePacked(['uint8', 'uint16', 'uint8', 'uint128', 'uint128'], [1, 33, 1, gas, value]);

  it('reads the lzReceive gas of type-3 options built by OptionsBuilder', () => {
    expect(parseExecutorOptions(concat(['0x0003', lzReceive(200_000n)]))).toEqual({ gas: 200_000n, value: 0n });
    expect(parseExecutorOptions('0x00030100110100000000000000000000000000030d40')).toEqual({
      gas: 200_000n,
      value: 0n,
    });
  });

  it('adds up several lzReceive options (enforced + caller) and their values, skipping other workers', () => {
    const dvn = encodePacked(['uint8', 'uint16', 'uint8', 'uint8'], [2, 2, 0, 1]);
    const nativeDrop = encodePacked(['uint8', 'uint16', 'uint8', 'uint128', 'bytes32'], [1, 49, 2, 5n, receiver]);
    const options = concat(['0x0003', lzReceive(100_000n), dvn, nativeDrop, lzReceive(50_000n, 7n)]);
    expect(parseExecutorOptions(options)).toEqual({ gas: 150_000n, value: 7n });
  });

  it('reads legacy type-1 options and returns undefined for empty options', () => {
    expect(parseExecutorOptions(encodePacked(['uint16', 'uint256'], [1, 300_000n]))).toEqual({
      gas: 300_000n,
      value: 0n,
    });
    expect(parseExecutorOptions('0x')).toBeUndefined();
    expect(parseExecutorOptions('0x0003')).toBeUndefined();
  });

  it('refuses truncated or unknown encodings', () => {
    expect(() => parseExecutorOptions(concat(['0x0003', lzReceive(1n).slice(0, 20) as Hex]))).toThrow(
      OptionsDecodeError,
    );
    expect(() => parseExecutorOptions('0x0009')).toThrow(/unknown options type 9/);
    expect(() => parseExecutorOptions('0x0003070001ff')).toThrow(/unknown worker id 7/);
  });
});
