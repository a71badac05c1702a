import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The page's files: `web/` beside `src/` and `dist/`, so both find it two levels up. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** One file of the page, read once at start. */
export interface Asset {
  type: string
  body: Buffer
}

/**
 * Reads the page's files into memory: `index.html` for `/`, the rest for `/assets/<name>`.
 * Only names listed here are ever served; a request path is looked up, never joined to a path.
 */
export async function loadAssets(dir = WEB_DIR): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>()
  for (const name of await readdir(dir)) {
    const type = TYPES[extname(name)]
    if (type === undefined || !/^[\w-]+\.\w+$/.test(name)) continue
    const path = name === 'index.html' ? '/' : `/assets/${name}`
    assets.set(path, { type, body: await readFile(join(dir, name)) })
  }
  return assets
}
