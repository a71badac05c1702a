import { afterEach, describe, expect, test, vi } from 'vitest'
import { createLineMover, type WrapEngine, wrapEngine } from '../../src/encode/wrap-lines.js'

const text = (lines: number) =>
  Array.from({ length: lines * 76 }, (_, i) => String.fromCharCode(65 + ((i * 7) % 26))).join('')

function moveLines(engine: WrapEngine, lines: number, from: number, at: number): string {
  const mover = createLineMover(Math.max(from + lines * 76, at + lines * 78), engine)
  mover.bytes.fill(0)
  const source = text(lines)
  for (let i = 0; i < source.length; i++) mover.bytes[from + i] = source.charCodeAt(i)
  const end = mover.wrap(from, at, lines)
  expect(end).toBe(at + lines * 78)
  return new TextDecoder().decode(mover.bytes.subarray(at, end))
}

describe('createLineMover', () => {
  test.each<WrapEngine>(['wasm', 'js'])(
    'the %s mover puts each 76-character line at its place with CRLF after it',
    (engine) => {
      for (const lines of [0, 1, 2, 3, 10, 11, 1024, 1025]) {
        const expected = text(lines).replace(/.{76}/g, '$&\r\n')
        const room = (2 * lines + 3) & ~3
        // In place, as the encoder uses it: the text just past the lines' room, at 0 and at 8.
        expect(moveLines(engine, lines, room, 0)).toBe(expected)
        expect(moveLines(engine, lines, 8 + room, 8)).toBe(expected)
        // Apart: the text far past the lines.
        expect(moveLines(engine, lines, lines * 80 + 4, 0)).toBe(expected)
      }
    },
  )

  test('falls back to the JS mover when a WebAssembly memory cannot be had', () => {
    const spy = vi.spyOn(WebAssembly, 'Memory').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory')
    })
    try {
      const mover = createLineMover(200, 'wasm')
      expect(mover.bytes.buffer).toBeInstanceOf(ArrayBuffer)
      const line = text(1)
      for (let i = 0; i < 76; i++) mover.bytes[4 + i] = line.charCodeAt(i)
      expect(mover.wrap(4, 0, 1)).toBe(78)
      expect(new TextDecoder().decode(mover.bytes.subarray(0, 78))).toBe(`${line}\r\n`)
    } finally {
      spy.mockRestore()
    }
  })
})

describe('wrapEngine', () => {
  const wasm = globalThis.WebAssembly
  afterEach(() => {
    globalThis.WebAssembly = wasm
    vi.resetModules()
  })

  test('uses WebAssembly where the runtime has it', () => {
    expect(wrapEngine()).toBe('wasm')
  })

  test('falls back to the JS mover where WebAssembly is missing', async () => {
    vi.resetModules()
    ;(globalThis as { WebAssembly?: unknown }).WebAssembly = undefined
    const fresh = await import('../../src/encode/wrap-lines.js')
    expect(fresh.wrapEngine()).toBe('js')
  })
})
