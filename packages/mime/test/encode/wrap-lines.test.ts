import { afterEach, describe, expect, test, vi } from 'vitest'
import { createLineMover, type WrapEngine, wrapEngine } from '../../src/encode/wrap-lines.js'

const text = (lines: number) =>
  Array.from({ length: lines * 76 }, (_, i) => String.fromCharCode(65 + ((i * 7) % 26))).join('')

function moveLines(engine: WrapEngine, lines: number, at: number): string {
  const mover = createLineMover(at + lines * 78, engine)
  const source = text(lines)
  for (let i = 0; i < source.length; i++) mover.bytes[i] = source.charCodeAt(i)
  const end = mover.wrap(at, lines)
  expect(end).toBe(at + lines * 78)
  return new TextDecoder().decode(mover.bytes.subarray(at, end))
}

describe('createLineMover', () => {
  test.each<WrapEngine>(['wasm', 'js'])(
    'the %s mover puts each 76-character line at its place with CRLF after it',
    (engine) => {
      for (const lines of [0, 1, 2, 3, 10, 11, 1024]) {
        const expected = text(lines).replace(/.{76}/g, '$&\r\n')
        expect(moveLines(engine, lines, lines * 76 + 4 - ((lines * 76) % 4))).toBe(expected)
      }
    },
  )
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
