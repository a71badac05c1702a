import { describe, expect, it } from 'vitest'
import { appendSignatureValue, formatSignaturePrefix } from '../../src/dkim/signature.js'

const bh = 'frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY='
const b = 'A'.repeat(342) + '=='
const tags = {
  a: 'rsa-sha256',
  c: 'relaxed/relaxed',
  d: 'example.com',
  s: 'selector1',
  t: 1_700_000_000,
  x: 1_700_086_400,
  h: ['from', 'from', 'to', 'cc', 'subject', 'date', 'message-id', 'mime-version', 'content-type'],
  bh,
}

function unfold(text: string): string {
  return text.replace(/\r\n[ \t]/g, ' ')
}

describe('formatSignaturePrefix', () => {
  it('writes every tag in order and ends with an empty b=', () => {
    const { text } = formatSignaturePrefix(tags)
    expect(text.startsWith('DKIM-Signature: v=1; ')).toBe(true)
    const tagList = text
      .slice('DKIM-Signature:'.length)
      .split(';')
      .map((tag) => tag.replace(/[ \t\r\n]+/g, ''))
    expect(tagList).toEqual([
      'v=1',
      'a=rsa-sha256',
      'c=relaxed/relaxed',
      'd=example.com',
      's=selector1',
      't=1700000000',
      'x=1700086400',
      'h=from:from:to:cc:subject:date:message-id:mime-version:content-type',
      `bh=${bh}`,
      'b=',
    ])
  })

  it('writes l= only when given', () => {
    expect(formatSignaturePrefix(tags).text).not.toMatch(/l=/)
    expect(unfold(formatSignaturePrefix({ ...tags, l: 123 }).text)).toMatch(/ l=123;/)
  })

  it('reports the column where the b= value starts', () => {
    const { text, column } = formatSignaturePrefix(tags)
    expect(column).toBe(text.length - text.lastIndexOf('\r\n') - 2)
  })
})

describe('appendSignatureValue', () => {
  it('folds the whole field to lines of at most 78 characters', () => {
    const field = appendSignatureValue(formatSignaturePrefix(tags), b)
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78)
    expect(
      field
        .split('\r\n')
        .slice(1)
        .every((line) => line.startsWith(' ')),
    ).toBe(true)
  })

  it('keeps the value intact once the folding whitespace is removed', () => {
    const field = appendSignatureValue(formatSignaturePrefix(tags), b)
    expect(field.slice(field.indexOf(' b=') + 3).replace(/\r\n /g, '')).toBe(b)
  })

  it('folds long header lists at the colons only', () => {
    const h = Array.from({ length: 40 }, (_, i) => `x-header-${i}`)
    const field = appendSignatureValue(formatSignaturePrefix({ ...tags, h }), b)
    const list = field.slice(field.indexOf('h='), field.indexOf(';', field.indexOf('h=')))
    expect(list.replace(/\r\n /g, '').slice(2).split(':')).toEqual(h)
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78)
  })

  it('lets a name too long for any line overflow rather than break it', () => {
    const d = `${'sub.'.repeat(20)}example.com`
    const field = appendSignatureValue(formatSignaturePrefix({ ...tags, d }), b)
    expect(field).toContain(`\r\n d=${d};`)
  })
})
