import { describe, expect, it } from 'vitest'
import { messageCsp, openLinksInNewTab, resolveCids } from '../../src/http/html.js'
import type { InboxAttachment } from '../../src/types.js'

const id = '20261128T201050123Z-ab12cd'
const parts: InboxAttachment[] = [
  { filename: 'report.pdf', contentType: 'application/pdf', size: 3 },
  { filename: 'logo.png', contentType: 'image/png', size: 9, cid: 'Logo@Example.com' },
  { contentType: 'image/gif', size: 9, cid: 'a b@x' },
]

describe('resolveCids', () => {
  it('points cid: URLs at the parts they name, case-insensitively and percent-decoded', () => {
    expect(
      resolveCids(
        `<img src="cid:logo@example.com"><td background='CID:a%20b@x'><div style="background:url(cid:Logo@Example.com)">`,
        id,
        parts,
      ),
    ).toBe(
      `<img src="/api/messages/${id}/attachments/1"><td background='/api/messages/${id}/attachments/2'><div style="background:url(/api/messages/${id}/attachments/1)">`,
    )
  })

  it('leaves a cid that names no part, and text without cid:, as they are', () => {
    expect(resolveCids('<img src="cid:nothing">', id, parts)).toBe('<img src="cid:nothing">')
    expect(resolveCids('<p>lucid:x</p>', id, parts)).toBe('<p>lucid:x</p>')
  })
})

describe('openLinksInNewTab', () => {
  it('places <base target> at the start of the head, else of the document', () => {
    expect(openLinksInNewTab('<!DOCTYPE html><html><HEAD lang=x><title>t</title>')).toBe(
      '<!DOCTYPE html><html><HEAD lang=x><base target="_blank"><title>t</title>',
    )
    expect(openLinksInNewTab('<!doctype html><p>x')).toBe(
      '<!doctype html><base target="_blank"><p>x',
    )
    expect(openLinksInNewTab('<p>x</p>')).toBe('<base target="_blank"><p>x</p>')
  })
})

describe('messageCsp', () => {
  it('allows no script, and remote content only when asked', () => {
    const blocked = messageCsp(false)
    expect(blocked).toContain("default-src 'none'")
    expect(blocked).toContain('sandbox allow-popups allow-popups-to-escape-sandbox')
    expect(blocked).not.toMatch(/script|http:|https:|allow-scripts|allow-same-origin/)
    expect(messageCsp(true)).toContain("img-src 'self' data: http: https:")
    expect(messageCsp(true)).not.toMatch(/script|allow-scripts/)
  })
})
