// SHA-256 (FIPS 180-4) fed in pieces, for a body hash over a message too large to hold: WebCrypto
// hashes only whole buffers. Node, Bun and Deno lend their native hash (process.getBuiltinModule,
// no import, so bundles for Workers and browsers stay free of Node modules); elsewhere the
// JavaScript one below runs.

/** A hash fed in pieces. */
export interface IncrementalHash {
  update(bytes: Uint8Array): void
  digest(): Uint8Array
}

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
// Section 5.3.3: the initial hash value.
const H0 = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]

/** SHA-256 in JavaScript, for runtimes without a native incremental hash. */
export class Sha256 implements IncrementalHash {
  private readonly h = Int32Array.from(H0)
  private readonly w = new Int32Array(64)
  private readonly block = new Uint8Array(64)
  private buffered = 0
  private length = 0

  update(bytes: Uint8Array): void {
    this.length += bytes.length
    let at = 0
    if (this.buffered > 0) {
      at = Math.min(64 - this.buffered, bytes.length)
      this.block.set(bytes.subarray(0, at), this.buffered)
      this.buffered += at
      if (this.buffered < 64) return
      this.compress(this.block, 0)
      this.buffered = 0
    }
    for (; at + 64 <= bytes.length; at += 64) this.compress(bytes, at)
    this.block.set(bytes.subarray(at), 0)
    this.buffered = bytes.length - at
  }

  digest(): Uint8Array {
    // Section 5.1.1: a 1 bit, zeros, and the length in bits as a 64-bit big-endian number.
    const bits = this.length * 8
    const tail = new Uint8Array(this.buffered < 56 ? 64 : 128)
    tail.set(this.block.subarray(0, this.buffered))
    tail[this.buffered] = 0x80
    const view = new DataView(tail.buffer)
    view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32))
    view.setUint32(tail.length - 4, bits >>> 0)
    for (let at = 0; at < tail.length; at += 64) this.compress(tail, at)
    const out = new Uint8Array(32)
    const outView = new DataView(out.buffer)
    for (let i = 0; i < 8; i++) outView.setInt32(4 * i, this.h[i]!)
    return out
  }

  /** Section 6.2.2: one 64-octet block. */
  private compress(data: Uint8Array, at: number): void {
    const w = this.w
    for (let t = 0; t < 16; t++, at += 4) {
      w[t] = (data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
    }
    const H = this.h
    let a = H[0]!
    let b = H[1]!
    let c = H[2]!
    let d = H[3]!
    let e = H[4]!
    let f = H[5]!
    let g = H[6]!
    let h = H[7]!
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + K[t]! + w[t]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + S0 + maj) | 0
    }
    H[0] = (H[0]! + a) | 0
    H[1] = (H[1]! + b) | 0
    H[2] = (H[2]! + c) | 0
    H[3] = (H[3]! + d) | 0
    H[4] = (H[4]! + e) | 0
    H[5] = (H[5]! + f) | 0
    H[6] = (H[6]! + g) | 0
    H[7] = (H[7]! + h) | 0
  }
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(bytes: Uint8Array): unknown; digest(): Uint8Array }
}

/** Node's crypto module where the runtime lends it by name (Node 20.16+, Bun, Deno). */
function nodeCrypto(): NodeCrypto | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process
  try {
    const crypto = runtime?.getBuiltinModule?.('node:crypto') as Partial<NodeCrypto> | undefined
    return typeof crypto?.createHash === 'function' ? (crypto as NodeCrypto) : undefined
  } catch {
    return undefined
  }
}

/** A SHA-256 hash fed in pieces: the runtime's native one where it has one, else {@link Sha256}. */
export function createSha256(): IncrementalHash {
  const native = nodeCrypto()?.createHash('sha256')
  if (native === undefined) return new Sha256()
  return {
    update: (bytes) => {
      native.update(bytes)
    },
    digest: () => new Uint8Array(native.digest()),
  }
}
