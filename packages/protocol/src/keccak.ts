/**
 * Keccak-256 (the pre-standard SHA-3 Ethereum uses: padding `0x01 … 0x80`, rate 136 bytes), on
 * 32-bit halves of the 64-bit lanes. Written for the node's hot paths — order ids, EIP-712
 * digests, address checksums — where the generic library permutation cost ~15 µs per block on
 * the project's machines; a differential property test holds it to `@noble/hashes`' `keccak_256`.
 *
 * The sponge state and the padded last block are module-level scratch arrays, reused by every
 * call: a call runs to the end synchronously, and each worker thread loads its own copy of the
 * module, so no two calls ever share them.
 */

/** Bytes absorbed per permutation (1600 − 2 × 256 bits). */
const RATE = 136;
const LANES_PER_BLOCK = RATE / 8;
const ROUNDS = 24;

/** The round constants, low and high 32-bit halves, from the spec's LFSR (x^8 + x^6 + x^5 + x^4 + 1). */
const ROUND_CONSTANTS = (() => {
  const rc = new Int32Array(2 * ROUNDS);
  let r = 1;
  for (let round = 0; round < ROUNDS; round++) {
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < 7; j++) {
      if (r & 1) {
        const bit = (1 << j) - 1; // bit 2^j − 1 of the lane
        if (bit < 32) lo |= 1 << bit;
        else hi |= 1 << (bit - 32);
      }
      r = ((r << 1) ^ ((r >> 7) * 0x71)) & 0xff;
    }
    rc[2 * round] = lo;
    rc[2 * round + 1] = hi;
  }
  return rc;
})();

/** The sponge state: lane i = x + 5y has its low half at 2i, its high half at 2i + 1. */
const state = new Int32Array(50);
/** The last, padded block. */
const lastBlock = new Uint8Array(RATE);

/**
 * Keccak-f[1600] on `s`, unrolled: the 25 lanes live in locals (`l`/`h`: low and high halves) for
 * the 24 rounds. Per round: θ (column parities `c`, their mix `d` into every lane), ρ and π
 * together (lane (x, y), rotated left by the spec's offset (t+1)(t+2)/2 mod 64, lands in `b` at
 * (y, 2x + 3y); a rotation of 32 or more swaps the halves first), then χ along each row, and ι on
 * lane 0.
 */
function permute(s: Int32Array): void {
  let l0 = s[0]!;
  let h0 = s[1]!;
  let l1 = s[2]!;
  let h1 = s[3]!;
  let l2 = s[4]!;
  let h2 = s[5]!;
  let l3 = s[6]!;
  let h3 = s[7]!;
  let l4 = s[8]!;
  let h4 = s[9]!;
  let l5 = s[10]!;
  let h5 = s[11]!;
  let l6 = s[12]!;
  let h6 = s[13]!;
  let l7 = s[14]!;
  let h7 = s[15]!;
  let l8 = s[16]!;
  let h8 = s[17]!;
  let l9 = s[18]!;
  let h9 = s[19]!;
  let l10 = s[20]!;
  let h10 = s[21]!;
  let l11 = s[22]!;
  let h11 = s[23]!;
  let l12 = s[24]!;
  let h12 = s[25]!;
  let l13 = s[26]!;
  let h13 = s[27]!;
  let l14 = s[28]!;
  let h14 = s[29]!;
  let l15 = s[30]!;
  let h15 = s[31]!;
  let l16 = s[32]!;
  let h16 = s[33]!;
  let l17 = s[34]!;
  let h17 = s[35]!;
  let l18 = s[36]!;
  let h18 = s[37]!;
  let l19 = s[38]!;
  let h19 = s[39]!;
  let l20 = s[40]!;
  let h20 = s[41]!;
  let l21 = s[42]!;
  let h21 = s[43]!;
  let l22 = s[44]!;
  let h22 = s[45]!;
  let l23 = s[46]!;
  let h23 = s[47]!;
  let l24 = s[48]!;
  let h24 = s[49]!;
  for (let round = 0; round < ROUNDS; round++) {
    // θ
    const cl0 = l0 ^ l5 ^ l10 ^ l15 ^ l20;
    const ch0 = h0 ^ h5 ^ h10 ^ h15 ^ h20;
    const cl1 = l1 ^ l6 ^ l11 ^ l16 ^ l21;
    const ch1 = h1 ^ h6 ^ h11 ^ h16 ^ h21;
    const cl2 = l2 ^ l7 ^ l12 ^ l17 ^ l22;
    const ch2 = h2 ^ h7 ^ h12 ^ h17 ^ h22;
    const cl3 = l3 ^ l8 ^ l13 ^ l18 ^ l23;
    const ch3 = h3 ^ h8 ^ h13 ^ h18 ^ h23;
    const cl4 = l4 ^ l9 ^ l14 ^ l19 ^ l24;
    const ch4 = h4 ^ h9 ^ h14 ^ h19 ^ h24;
    const dl0 = cl4 ^ ((cl1 << 1) | (ch1 >>> 31));
    const dh0 = ch4 ^ ((ch1 << 1) | (cl1 >>> 31));
    const dl1 = cl0 ^ ((cl2 << 1) | (ch2 >>> 31));
    const dh1 = ch0 ^ ((ch2 << 1) | (cl2 >>> 31));
    const dl2 = cl1 ^ ((cl3 << 1) | (ch3 >>> 31));
    const dh2 = ch1 ^ ((ch3 << 1) | (cl3 >>> 31));
    const dl3 = cl2 ^ ((cl4 << 1) | (ch4 >>> 31));
    const dh3 = ch2 ^ ((ch4 << 1) | (cl4 >>> 31));
    const dl4 = cl3 ^ ((cl0 << 1) | (ch0 >>> 31));
    const dh4 = ch3 ^ ((ch0 << 1) | (cl0 >>> 31));
    // θ applied, then ρ and π: lane i, rotated, lands at its π destination (b…)
    const bl0 = l0 ^ dl0;
    const bh0 = h0 ^ dh0;
    const tl1 = l1 ^ dl1;
    const th1 = h1 ^ dh1;
    const bl10 = (tl1 << 1) | (th1 >>> 31);
    const bh10 = (th1 << 1) | (tl1 >>> 31);
    const tl2 = l2 ^ dl2;
    const th2 = h2 ^ dh2;
    const bl20 = (th2 << 30) | (tl2 >>> 2);
    const bh20 = (tl2 << 30) | (th2 >>> 2);
    const tl3 = l3 ^ dl3;
    const th3 = h3 ^ dh3;
    const bl5 = (tl3 << 28) | (th3 >>> 4);
    const bh5 = (th3 << 28) | (tl3 >>> 4);
    const tl4 = l4 ^ dl4;
    const th4 = h4 ^ dh4;
    const bl15 = (tl4 << 27) | (th4 >>> 5);
    const bh15 = (th4 << 27) | (tl4 >>> 5);
    const tl5 = l5 ^ dl0;
    const th5 = h5 ^ dh0;
    const bl16 = (th5 << 4) | (tl5 >>> 28);
    const bh16 = (tl5 << 4) | (th5 >>> 28);
    const tl6 = l6 ^ dl1;
    const th6 = h6 ^ dh1;
    const bl1 = (th6 << 12) | (tl6 >>> 20);
    const bh1 = (tl6 << 12) | (th6 >>> 20);
    const tl7 = l7 ^ dl2;
    const th7 = h7 ^ dh2;
    const bl11 = (tl7 << 6) | (th7 >>> 26);
    const bh11 = (th7 << 6) | (tl7 >>> 26);
    const tl8 = l8 ^ dl3;
    const th8 = h8 ^ dh3;
    const bl21 = (th8 << 23) | (tl8 >>> 9);
    const bh21 = (tl8 << 23) | (th8 >>> 9);
    const tl9 = l9 ^ dl4;
    const th9 = h9 ^ dh4;
    const bl6 = (tl9 << 20) | (th9 >>> 12);
    const bh6 = (th9 << 20) | (tl9 >>> 12);
    const tl10 = l10 ^ dl0;
    const th10 = h10 ^ dh0;
    const bl7 = (tl10 << 3) | (th10 >>> 29);
    const bh7 = (th10 << 3) | (tl10 >>> 29);
    const tl11 = l11 ^ dl1;
    const th11 = h11 ^ dh1;
    const bl17 = (tl11 << 10) | (th11 >>> 22);
    const bh17 = (th11 << 10) | (tl11 >>> 22);
    const tl12 = l12 ^ dl2;
    const th12 = h12 ^ dh2;
    const bl2 = (th12 << 11) | (tl12 >>> 21);
    const bh2 = (tl12 << 11) | (th12 >>> 21);
    const tl13 = l13 ^ dl3;
    const th13 = h13 ^ dh3;
    const bl12 = (tl13 << 25) | (th13 >>> 7);
    const bh12 = (th13 << 25) | (tl13 >>> 7);
    const tl14 = l14 ^ dl4;
    const th14 = h14 ^ dh4;
    const bl22 = (th14 << 7) | (tl14 >>> 25);
    const bh22 = (tl14 << 7) | (th14 >>> 25);
    const tl15 = l15 ^ dl0;
    const th15 = h15 ^ dh0;
    const bl23 = (th15 << 9) | (tl15 >>> 23);
    const bh23 = (tl15 << 9) | (th15 >>> 23);
    const tl16 = l16 ^ dl1;
    const th16 = h16 ^ dh1;
    const bl8 = (th16 << 13) | (tl16 >>> 19);
    const bh8 = (tl16 << 13) | (th16 >>> 19);
    const tl17 = l17 ^ dl2;
    const th17 = h17 ^ dh2;
    const bl18 = (tl17 << 15) | (th17 >>> 17);
    const bh18 = (th17 << 15) | (tl17 >>> 17);
    const tl18 = l18 ^ dl3;
    const th18 = h18 ^ dh3;
    const bl3 = (tl18 << 21) | (th18 >>> 11);
    const bh3 = (th18 << 21) | (tl18 >>> 11);
    const tl19 = l19 ^ dl4;
    const th19 = h19 ^ dh4;
    const bl13 = (tl19 << 8) | (th19 >>> 24);
    const bh13 = (th19 << 8) | (tl19 >>> 24);
    const tl20 = l20 ^ dl0;
    const th20 = h20 ^ dh0;
    const bl14 = (tl20 << 18) | (th20 >>> 14);
    const bh14 = (th20 << 18) | (tl20 >>> 14);
    const tl21 = l21 ^ dl1;
    const th21 = h21 ^ dh1;
    const bl24 = (tl21 << 2) | (th21 >>> 30);
    const bh24 = (th21 << 2) | (tl21 >>> 30);
    const tl22 = l22 ^ dl2;
    const th22 = h22 ^ dh2;
    const bl9 = (th22 << 29) | (tl22 >>> 3);
    const bh9 = (tl22 << 29) | (th22 >>> 3);
    const tl23 = l23 ^ dl3;
    const th23 = h23 ^ dh3;
    const bl19 = (th23 << 24) | (tl23 >>> 8);
    const bh19 = (tl23 << 24) | (th23 >>> 8);
    const tl24 = l24 ^ dl4;
    const th24 = h24 ^ dh4;
    const bl4 = (tl24 << 14) | (th24 >>> 18);
    const bh4 = (th24 << 14) | (tl24 >>> 18);
    // χ, then ι
    l0 = bl0 ^ (~bl1 & bl2) ^ ROUND_CONSTANTS[2 * round]!;
    h0 = bh0 ^ (~bh1 & bh2) ^ ROUND_CONSTANTS[2 * round + 1]!;
    l1 = bl1 ^ (~bl2 & bl3);
    h1 = bh1 ^ (~bh2 & bh3);
    l2 = bl2 ^ (~bl3 & bl4);
    h2 = bh2 ^ (~bh3 & bh4);
    l3 = bl3 ^ (~bl4 & bl0);
    h3 = bh3 ^ (~bh4 & bh0);
    l4 = bl4 ^ (~bl0 & bl1);
    h4 = bh4 ^ (~bh0 & bh1);
    l5 = bl5 ^ (~bl6 & bl7);
    h5 = bh5 ^ (~bh6 & bh7);
    l6 = bl6 ^ (~bl7 & bl8);
    h6 = bh6 ^ (~bh7 & bh8);
    l7 = bl7 ^ (~bl8 & bl9);
    h7 = bh7 ^ (~bh8 & bh9);
    l8 = bl8 ^ (~bl9 & bl5);
    h8 = bh8 ^ (~bh9 & bh5);
    l9 = bl9 ^ (~bl5 & bl6);
    h9 = bh9 ^ (~bh5 & bh6);
    l10 = bl10 ^ (~bl11 & bl12);
    h10 = bh10 ^ (~bh11 & bh12);
    l11 = bl11 ^ (~bl12 & bl13);
    h11 = bh11 ^ (~bh12 & bh13);
    l12 = bl12 ^ (~bl13 & bl14);
    h12 = bh12 ^ (~bh13 & bh14);
    l13 = bl13 ^ (~bl14 & bl10);
    h13 = bh13 ^ (~bh14 & bh10);
    l14 = bl14 ^ (~bl10 & bl11);
    h14 = bh14 ^ (~bh10 & bh11);
    l15 = bl15 ^ (~bl16 & bl17);
    h15 = bh15 ^ (~bh16 & bh17);
    l16 = bl16 ^ (~bl17 & bl18);
    h16 = bh16 ^ (~bh17 & bh18);
    l17 = bl17 ^ (~bl18 & bl19);
    h17 = bh17 ^ (~bh18 & bh19);
    l18 = bl18 ^ (~bl19 & bl15);
    h18 = bh18 ^ (~bh19 & bh15);
    l19 = bl19 ^ (~bl15 & bl16);
    h19 = bh19 ^ (~bh15 & bh16);
    l20 = bl20 ^ (~bl21 & bl22);
    h20 = bh20 ^ (~bh21 & bh22);
    l21 = bl21 ^ (~bl22 & bl23);
    h21 = bh21 ^ (~bh22 & bh23);
    l22 = bl22 ^ (~bl23 & bl24);
    h22 = bh22 ^ (~bh23 & bh24);
    l23 = bl23 ^ (~bl24 & bl20);
    h23 = bh23 ^ (~bh24 & bh20);
    l24 = bl24 ^ (~bl20 & bl21);
    h24 = bh24 ^ (~bh20 & bh21);
  }
  s[0] = l0;
  s[1] = h0;
  s[2] = l1;
  s[3] = h1;
  s[4] = l2;
  s[5] = h2;
  s[6] = l3;
  s[7] = h3;
  s[8] = l4;
  s[9] = h4;
  s[10] = l5;
  s[11] = h5;
  s[12] = l6;
  s[13] = h6;
  s[14] = l7;
  s[15] = h7;
  s[16] = l8;
  s[17] = h8;
  s[18] = l9;
  s[19] = h9;
  s[20] = l10;
  s[21] = h10;
  s[22] = l11;
  s[23] = h11;
  s[24] = l12;
  s[25] = h12;
  s[26] = l13;
  s[27] = h13;
  s[28] = l14;
  s[29] = h14;
  s[30] = l15;
  s[31] = h15;
  s[32] = l16;
  s[33] = h16;
  s[34] = l17;
  s[35] = h17;
  s[36] = l18;
  s[37] = h18;
  s[38] = l19;
  s[39] = h19;
  s[40] = l20;
  s[41] = h20;
  s[42] = l21;
  s[43] = h21;
  s[44] = l22;
  s[45] = h22;
  s[46] = l23;
  s[47] = h23;
  s[48] = l24;
  s[49] = h24;
}

/** XORs the block of {@link RATE} bytes at `data[at…]` into the state, little-endian lanes. */
function absorb(s: Int32Array, data: Uint8Array, at: number): void {
  for (let lane = 0; lane < LANES_PER_BLOCK; lane++) {
    const o = at + 8 * lane;
    s[2 * lane] = s[2 * lane]! ^ data[o]! ^ (data[o + 1]! << 8) ^ (data[o + 2]! << 16) ^ (data[o + 3]! << 24);
    s[2 * lane + 1] =
      s[2 * lane + 1]! ^ data[o + 4]! ^ (data[o + 5]! << 8) ^ (data[o + 6]! << 16) ^ (data[o + 7]! << 24);
  }
}

/**
 * Keccak-256 of `data`: 32 bytes, a new array.
 * @example toHex(keccak256(new Uint8Array())) // 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
 */
export function keccak256(data: Uint8Array): Uint8Array {
  const s = state;
  s.fill(0);
  let at = 0;
  for (; at + RATE <= data.length; at += RATE) {
    absorb(s, data, at);
    permute(s);
  }
  // the tail, padded: 0x01 after the data, 0x80 in the block's last byte (the same byte when one short)
  lastBlock.fill(0);
  lastBlock.set(data.subarray(at));
  lastBlock[data.length - at] = 0x01;
  lastBlock[RATE - 1] = lastBlock[RATE - 1]! | 0x80;
  absorb(s, lastBlock, 0);
  permute(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = s[i]!;
    out[4 * i] = v;
    out[4 * i + 1] = v >>> 8;
    out[4 * i + 2] = v >>> 16;
    out[4 * i + 3] = v >>> 24;
  }
  return out;
}

const ASCII = new Uint8Array(40);

/**
 * The EIP-55 checksummed spelling of an address given as its 40 lower-case hex digits (no `0x`):
 * a letter is upper-cased where the matching nibble of keccak256(the 40 digits, as ASCII) is 8 or
 * more. The caller checks that `lowerDigits` is 40 lower-case hex digits.
 * @example checksumDigits('fb6916095ca1df60bb79ce92ce3ea74c37c5d359') // '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'
 */
export function checksumDigits(lowerDigits: string): `0x${string}` {
  for (let i = 0; i < 40; i++) ASCII[i] = lowerDigits.charCodeAt(i);
  const hash = keccak256(ASCII);
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const ch = lowerDigits[i]!;
    const nibble = i & 1 ? hash[i >> 1]! & 0x0f : hash[i >> 1]! >> 4;
    out += nibble >= 8 && ch >= 'a' ? ch.toUpperCase() : ch;
  }
  return out as `0x${string}`;
}
