#!/usr/bin/env node
// CI check for the README's first command: the embedded inbox holds exactly one .eml that
// Python's stdlib email parses without defects, carrying the given file as an attachment whose
// bytes are unchanged.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'

const [inbox, attachment] = process.argv.slice(2)
const files = readdirSync(inbox).filter((name) => name.endsWith('.eml'))
if (files.length !== 1) throw new Error(`expected one .eml in ${inbox}, found ${files.length}`)
const python = `
import sys, json, email, email.policy, hashlib
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
defects = [type(d).__name__ for p in msg.walk() for d in p.defects]
atts = [{'name': p.get_filename(), 'sha256': hashlib.sha256(p.get_payload(decode=True)).hexdigest()}
        for p in msg.iter_attachments()]
print(json.dumps({'subject': msg['subject'], 'defects': defects, 'attachments': atts}))
`
const parsed = JSON.parse(
  execFileSync('/usr/bin/python3', ['-c', python, join(inbox, files[0])], { encoding: 'utf8' }),
)
const expected = execFileSync('sha256sum', [attachment], { encoding: 'utf8' }).split(' ')[0]
const found = parsed.attachments.find((a) => a.name === basename(attachment))
if (parsed.defects.length) throw new Error(`defects: ${parsed.defects.join(', ')}`)
if (!found)
  throw new Error(`no attachment named ${basename(attachment)}: ${JSON.stringify(parsed)}`)
if (found.sha256 !== expected) throw new Error('attachment bytes differ from the file')
console.log(`inbox check: ${files[0]} parses (subject "${parsed.subject}"), attachment intact`)
