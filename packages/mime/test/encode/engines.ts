// The base64 module with each line engine and each read-out, for tests: the build itself always
// takes the SIMD engine where it runs and Buffer where it exists, with no switch to turn.
import { vi } from 'vitest'
import type { LineEngine } from '../../src/encode/base64-lines.js'

export type Base64Module = typeof import('../../src/encode/base64.js')

const NodeBuffer = globalThis.Buffer

/** Runs `fn` with globalThis.Buffer hidden, as in Workers and browsers. */
export function withoutBuffer<T>(fn: () => T): T {
  const g = globalThis as { Buffer?: unknown }
  g.Buffer = undefined
  try {
    return fn()
  } finally {
    g.Buffer = NodeBuffer
  }
}

/**
 * The module as loaded ('simd' on Node), and a fresh copy that found no WebAssembly SIMD and so
 * encodes with the JS engine.
 */
export async function base64Engines(): Promise<Record<LineEngine, Base64Module>> {
  const simd = await import('../../src/encode/base64.js')
  vi.resetModules()
  const spy = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false)
  try {
    const js = await import('../../src/encode/base64.js')
    const lines = await import('../../src/encode/base64-lines.js')
    if (lines.lineEngine() !== 'js') throw new Error('the fresh module still found SIMD')
    return { simd, js }
  } finally {
    spy.mockRestore()
  }
}

/** The pieces pushBase64Body writes; `web` reads them out without Buffer. */
export function base64Pieces(module: Base64Module, bytes: Uint8Array, web = false): string[] {
  const out: string[] = []
  const push = () => module.pushBase64Body(bytes, out)
  if (web) withoutBuffer(push)
  else push()
  return out
}

/** The base64 body of `bytes` as one string. */
export function base64Body(module: Base64Module, bytes: Uint8Array, web = false): string {
  return base64Pieces(module, bytes, web).join('')
}
