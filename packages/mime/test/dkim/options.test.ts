import { describe, expect, it } from 'vitest'
import type { DkimOptions } from '../../src/dkim/options.js'
import { resolveOptions } from '../../src/dkim/options.js'
import { MimeError } from '../../src/errors.js'

const base: DkimOptions = { domain: 'example.com', selector: 's1', privateKey: 'PEM' }

function fieldOf(options: unknown): string | undefined {
  try {
    resolveOptions(options as DkimOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError)
    return (error as MimeError).field
  }
  return undefined
}

describe('resolveOptions', () => {
  it('fills the defaults: relaxed/relaxed, the default headers, From oversigned, no l=', () => {
    const config = resolveOptions(base)
    expect(config).toMatchObject({
      canonicalization: 'relaxed/relaxed',
      header: 'relaxed',
      body: 'relaxed',
      oversign: ['from'],
      bodyLength: false,
      signAbsent: false,
      algorithm: undefined,
      expiresIn: undefined,
    })
    expect(config.headers).toContain('list-unsubscribe-post')
    expect(config.now()).toBeInstanceOf(Date)
  })

  it('splits the canonicalization pair', () => {
    const config = resolveOptions({ ...base, canonicalization: 'simple/relaxed' })
    expect([config.header, config.body]).toEqual(['simple', 'relaxed'])
  })

  it('lower-cases and de-duplicates the header names given', () => {
    expect(resolveOptions({ ...base, headers: ['From', 'SUBJECT', 'subject'] }).headers).toEqual([
      'from',
      'subject',
    ])
  })

  it.each([
    ['domain', { domain: 'exa mple.com' }],
    ['domain', { domain: 'example.com;' }],
    ['domain', { domain: '-bad.example.com' }],
    ['domain', { domain: 'example..com' }],
    ['domain', { domain: 'bücher.example' }],
    ['domain', { domain: 'example.com.' }],
    ['domain', { domain: `${'a'.repeat(64)}.com` }],
    ['domain', { domain: 42 }],
    ['selector', { selector: '' }],
    ['selector', { selector: 's1; x=1' }],
    ['selector', { selector: 'under_score' }],
    ['selector', { selector: `${'a.'.repeat(120)}a` }],
    ['privateKey', { privateKey: '' }],
    ['privateKey', { privateKey: undefined }],
    ['algorithm', { algorithm: 'rsa-sha1' }],
    ['algorithm', { algorithm: 'ed25519' }],
    ['canonicalization', { canonicalization: 'relaxed' }],
    ['canonicalization', { canonicalization: 'loose/loose' }],
    ['headers', { headers: ['to', 'subject'] }],
    ['headers', { headers: [] }],
    ['headers', { headers: ['from', 'bad name'] }],
    ['headers', { headers: ['from', 'x:y'] }],
    ['headers', { headers: ['from', 'x;b=forged'] }],
    ['headers', { headers: 'from' }],
    ['oversign', { oversign: ['fr om'] }],
    ['expiresIn', { expiresIn: 0 }],
    ['expiresIn', { expiresIn: -5 }],
    ['expiresIn', { expiresIn: Number.NaN }],
    ['expiresIn', { expiresIn: '60' }],
    ['bodyLength', { bodyLength: 'yes' }],
    ['now', { now: new Date() }],
  ])('names %s for %j', (field, patch) => {
    expect(fieldOf({ ...base, ...patch })).toBe(field)
  })

  it('refuses options that are not an object', () => {
    expect(fieldOf(null)).toBe('options')
  })

  it('accepts multi-label selectors and single-label domains', () => {
    expect(fieldOf({ ...base, selector: 'a.b-c.d1', domain: 'localhost' })).toBeUndefined()
  })
})
