"""Parse RFC 5322 messages with the stdlib email package (policy.default) for @mail/testkit.

Usage: parse_email.py          -> reads one message from stdin, writes one JSON line.
       parse_email.py --stream -> repeatedly reads "<length>\\n" + <length> bytes from stdin and
                                  writes one JSON line per message; exits on EOF.
Output: the ParsedMessage shape (see src/parse.ts), or {"error": "..."}.
"""
import base64
import datetime
import email.parser
import email.policy
import json
import sys
import traceback

ADDRESS_FIELDS = [('from', 'from'), ('sender', 'sender'), ('to', 'to'), ('cc', 'cc'),
                  ('replyTo', 'reply-to')]


def class_names(defects):
    return [type(d).__name__ for d in defects]


def addresses(msg, name):
    result = []
    for header in msg.get_all(name) or []:
        for a in getattr(header, 'addresses', ()):
            result.append({'name': a.display_name, 'address': a.addr_spec})
    return result


def leaves(part):
    # message/rfc822 counts as a leaf (an attached message), like mailparser treats it.
    if part.get_content_maintype() == 'multipart':
        for sub in part.iter_parts():
            yield from leaves(sub)
    else:
        yield part


def iso_date(header):
    dt = getattr(header, 'datetime', None)
    if dt is None:
        return str(header)
    if dt.tzinfo is None:  # RFC 5322 3.3: "-0000" means UTC with no local-time information
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    dt = dt.astimezone(datetime.timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (dt.microsecond // 1000)


def content_bytes(part):
    if part.get_content_maintype() == 'message' and part.is_multipart():
        inner = part.get_payload(0)
        return inner.as_bytes(policy=email.policy.default.clone(linesep='\r\n'))
    data = part.get_payload(decode=True)
    return data if data is not None else b''


def parse(raw):
    msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    defects = []
    header_defects = []
    for part in msg.walk():
        defects.extend(class_names(part.defects))
        for name, value in part.items():
            for d in class_names(getattr(value, 'defects', ())):
                header_defects.append('%s: %s' % (name, d))
    out = {
        'defects': defects,
        'headerDefects': header_defects,
        'headers': [[name, str(value)] for name, value in msg.items()],
    }
    for key, name in ADDRESS_FIELDS:
        out[key] = addresses(msg, name)
    if msg['subject'] is not None:
        out['subject'] = str(msg['subject'])
    if msg['message-id'] is not None:
        out['messageId'] = str(msg['message-id']).strip()
    if msg['date'] is not None:
        out['date'] = iso_date(msg['date'])
    text_part = msg.get_body(preferencelist=('plain',))
    html_part = msg.get_body(preferencelist=('html',))
    if text_part is not None:
        out['text'] = text_part.get_content()
    if html_part is not None:
        out['html'] = html_part.get_content()
    attachments = []
    for part in leaves(msg):
        if part is text_part or part is html_part:
            continue
        a = {'contentType': part.get_content_type(),
             'content': base64.b64encode(content_bytes(part)).decode('ascii')}
        filename = part.get_filename()
        if filename is not None:
            a['filename'] = filename
        disposition = part.get_content_disposition()
        if disposition is not None:
            a['disposition'] = disposition
        cid = part['content-id']
        if cid is not None:
            a['cid'] = str(cid).strip().lstrip('<').rstrip('>')
        attachments.append(a)
    out['attachments'] = attachments
    return out


def handle(raw):
    try:
        result = parse(raw)
    except Exception:  # report, never die: the stream must go on
        result = {'error': traceback.format_exc()}
    return json.dumps(result, ensure_ascii=True, default=str) + '\n'


def main():
    stdin = sys.stdin.buffer
    stdout = sys.stdout
    if '--stream' not in sys.argv:
        stdout.write(handle(stdin.read()))
        return
    while True:
        line = stdin.readline()
        if not line:
            return
        raw = stdin.read(int(line))
        stdout.write(handle(raw))
        stdout.flush()


if __name__ == '__main__':
    main()
