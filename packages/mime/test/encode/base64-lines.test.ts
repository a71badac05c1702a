import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { BIG_LINES, BIG_MIN_LINES } from '../../src/encode/base64.js'
import {
  createLineEncoder,
  GROUP_LINES,
  type LineEngine,
  lineEngine,
  simdModuleBytes,
} from '../../src/encode/base64-lines.js'
import { type Base64Module, base64Engines, base64Pieces, base64Body as body } from './engines.js'

const NodeBuffer = globalThis.Buffer
const engines: LineEngine[] = ['simd', 'js']

/** An independent reference: one-line base64, then CRLF after every 76 characters but the last. */
function reference(bytes: Uint8Array): string {
  const wrapped = NodeBuffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n')
  return wrapped.endsWith('\r\n') ? wrapped.slice(0, -2) : wrapped
}

let modules: Record<LineEngine, Base64Module>
beforeAll(async () => {
  modules = await base64Engines()
})

function pieces(bytes: Uint8Array, engine: LineEngine, web = false): string[] {
  return base64Pieces(modules[engine], bytes, web)
}

/** The body from the `engine` encoder, read out with Buffer or, with `web`, TextDecoder. */
function base64Body(bytes: Uint8Array, web: boolean, engine: LineEngine): string {
  return body(modules[engine], bytes, web)
}

const patterned = (size: number) => new Uint8Array(size).map((_, i) => (i * 131 + (i >> 8)) & 255)

describe('base64 body lines', () => {
  test('the SIMD module is valid WebAssembly, small enough to compile anywhere, and Node runs it', () => {
    expect(WebAssembly.validate(simdModuleBytes())).toBe(true)
    // Browsers refuse synchronous compilation of larger modules on their main thread.
    expect(simdModuleBytes().length).toBeLessThan(4096)
    expect(lineEngine()).toBe('simd')
  })

  test.each(engines)('the %s encoder matches the reference for every length to 200', (engine) => {
    for (let size = 0; size <= 200; size++) {
      const bytes = patterned(size)
      expect(base64Body(bytes, false, engine)).toBe(reference(bytes))
      expect(base64Body(bytes, true, engine)).toBe(reference(bytes))
    }
  })

  test.each(engines)('the %s encoder maps every 6-bit value at every position', (engine) => {
    // Every pair of leading octets with a varying third: each of the four characters of a group
    // takes all 64 values, next to every neighbour.
    const bytes = new Uint8Array(3 * 65536)
    for (let i = 0; i < 65536; i++) {
      bytes[3 * i] = i >> 8
      bytes[3 * i + 1] = i & 255
      bytes[3 * i + 2] = (i * 167) & 255
    }
    expect(base64Body(bytes, false, engine)).toBe(reference(bytes))
  })

  test.each(engines)('the %s encoder matches around group and piece edges', (engine) => {
    const group = GROUP_LINES * 57
    const sizes = [group - 1, group, group + 1, 2 * group + 56, 2 * group + 55]
    for (const lines of [BIG_MIN_LINES, BIG_MIN_LINES + BIG_LINES]) {
      sizes.push(lines * 57 - 1, lines * 57, lines * 57 + 1)
    }
    for (const size of sizes) {
      const bytes = patterned(size)
      const out = pieces(bytes, engine)
      expect(out.join('')).toBe(reference(bytes))
      // Every piece but the last ends a line with CRLF; no piece starts with one.
      for (const piece of out.slice(0, -1)) expect(piece.endsWith('\r\n')).toBe(true)
      expect(out.some((p) => p.startsWith('\r\n'))).toBe(false)
    }
  })

  test('shares big bodies evenly among big pieces, and cuts smaller ones into small pieces', () => {
    // 3 big pieces' worth plus 100 lines and a partial one: 3 pieces, the lines shared out.
    const lines = BIG_MIN_LINES + 101
    const big = pieces(patterned((lines - 1) * 57 + 3), 'simd')
    const share = Math.ceil(lines / 3)
    expect(big.map((p) => p.length)).toEqual([
      share * 78,
      share * 78,
      (lines - 1 - 2 * share) * 78 + 4,
    ])
    // One line short of the big-piece minimum, or read out without Buffer: 1024-line pieces.
    const short = patterned((BIG_MIN_LINES - 1) * 57)
    for (const small of [pieces(short, 'simd'), pieces(patterned(lines * 57), 'simd', true)]) {
      expect(small[0]!.length).toBe(1024 * 78)
      expect(small.slice(0, -1).every((p) => p.length === 1024 * 78)).toBe(true)
    }
  })

  test('every engine and read-out gives the reference bytes on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length))
        const expected = reference(view)
        for (const engine of engines) {
          expect(base64Body(view, false, engine)).toBe(expected)
          expect(base64Body(view, true, engine)).toBe(expected)
        }
      }),
      { numRuns: 300 },
    )
  })

  test('reads a view into a larger buffer from its own offset only', () => {
    const backing = patterned(10_000 + GROUP_LINES * 57)
    const view = backing.subarray(123, 123 + GROUP_LINES * 57 + 7)
    for (const engine of engines) expect(base64Body(view, false, engine)).toBe(reference(view))
  })
})

describe('createLineEncoder', () => {
  test('falls back to the JS encoder when a WebAssembly memory cannot be had', () => {
    const spy = vi.spyOn(WebAssembly, 'Memory').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory')
    })
    try {
      const encoder = createLineEncoder(200, 'simd')
      expect(encoder.bytes.buffer).toBeInstanceOf(ArrayBuffer)
      const line = patterned(57)
      expect(encoder.lines(line, 0, 57, 0)).toBe(78)
      const text = new TextDecoder().decode(encoder.bytes.subarray(0, 78))
      expect(text).toBe(`${reference(line)}\r\n`)
    } finally {
      spy.mockRestore()
    }
  })

  test('writes lines at the offset given, leaving what is before it alone', () => {
    for (const engine of engines) {
      const encoder = createLineEncoder(400, engine)
      encoder.bytes.fill(42)
      const source = patterned(200)
      expect(encoder.lines(source, 20, 20 + 2 * 57, 10)).toBe(10 + 2 * 78)
      expect(encoder.bytes.subarray(0, 10).every((b) => b === 42)).toBe(true)
      const text = new TextDecoder().decode(encoder.bytes.subarray(10, 10 + 2 * 78))
      expect(text).toBe(`${reference(source.subarray(20, 20 + 2 * 57))}\r\n`)
    }
  })
})

describe('lineEngine', () => {
  const wasm = globalThis.WebAssembly
  afterEach(() => {
    globalThis.WebAssembly = wasm
    vi.restoreAllMocks()
    vi.resetModules()
  })

  test('falls back to JS where WebAssembly is missing', async () => {
    vi.resetModules()
    ;(globalThis as { WebAssembly?: unknown }).WebAssembly = undefined
    const fresh = await import('../../src/encode/base64-lines.js')
    expect(fresh.lineEngine()).toBe('js')
  })

  test('falls back to JS where WebAssembly has no SIMD instructions', async () => {
    vi.resetModules()
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false)
    const fresh = await import('../../src/encode/base64-lines.js')
    expect(fresh.lineEngine()).toBe('js')
  })

  test('falls back to JS where code generation is refused', async () => {
    vi.resetModules()
    vi.spyOn(WebAssembly, 'Module').mockImplementation(() => {
      throw new WebAssembly.CompileError('Wasm code generation disallowed by embedder')
    })
    const fresh = await import('../../src/encode/base64-lines.js')
    expect(fresh.lineEngine()).toBe('js')
    // and the body is still right, from the JS encoder
    const freshBase64 = await import('../../src/encode/base64.js')
    const bytes = patterned(1000)
    expect(body(freshBase64, bytes)).toBe(reference(bytes))
  })
})
