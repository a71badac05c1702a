/**
 * Random hex for Message-IDs and boundaries from crypto.getRandomValues. Each call into the
 * runtime's CSPRNG costs microseconds, more than building a small message, so bytes are drawn
 * in blocks and handed out in order; every byte is still used once.
 */
const BLOCK = 4096
let pool = new Uint8Array(0)
let next = 0

const HEX: string[] = []
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16))

/** `bytes` random octets as lowercase hex. */
export function randomHex(bytes: number): string {
  if (next + bytes > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(BLOCK))
    next = 0
  }
  let out = ''
  for (let i = 0; i < bytes; i++) out += HEX[pool[next++]!]
  return out
}
