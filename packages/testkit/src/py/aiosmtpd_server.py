"""aiosmtpd test server for @mail/testkit.

Usage: aiosmtpd_server.py '<json config>'
Config keys: root (temp dir, removed on exit), dir, security ('none'|'starttls'|'implicit'), require_starttls, cert, key,
auth ({user, pass} or null), lmtp, smtputf8, data_size_limit.
Prints one JSON line {"port": N} on stdout once listening. Every accepted message is written
to <dir>/<seq>.json (tmp file + rename, before the 250 reply) so the test sees it at once.
Exits when stdin closes, so a dead parent never leaves it running.
"""
import asyncio
import base64
import json
import os
import shutil
import ssl
import sys
import threading

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

cfg = json.loads(sys.argv[1])
out_dir = cfg['dir']
security = cfg.get('security', 'none')
lmtp = bool(cfg.get('lmtp'))
counter = 0


def text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', errors='surrogateescape')
    return value


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if cfg.get('dsn', True):
            responses.insert(len(responses) - 1, '250-DSN')
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # options are recorded by the Server subclass exactly as sent
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        global counter
        counter += 1
        record = {
            'mailFrom': text(envelope.mail_from),
            'rcptTos': [text(r) for r in envelope.rcpt_tos],
            'mailOptions': [text(o) for o in envelope.mail_options],
            'rcptOptions': [text(o) for o in envelope.rcpt_options],
            'data': base64.b64encode(envelope.original_content).decode('ascii'),
        }
        name = os.path.join(out_dir, '%08d.json' % counter)
        with open(name + '.tmp', 'w') as f:
            json.dump(record, f)
        os.rename(name + '.tmp', name)
        if lmtp:
            # RFC 2033 4.2: one reply per accepted recipient after the final dot.
            for _ in envelope.rcpt_tos[1:]:
                await server.push('250 2.0.0 OK')
        return '250 2.0.0 OK'


DSN_PARAMS = {'MAIL': ('RET', 'ENVID'), 'RCPT': ('NOTIFY', 'ORCPT')}


def split_params(server, keyword, arg):
    """Returns (arg without DSN parameters, parameters exactly as sent) or None."""
    stripped = server._strip_command_keyword(keyword, arg or '')
    if stripped is None:
        return None
    address, rest = server._getaddr(stripped)
    if address is None or rest is None:
        return None
    params = rest.split()
    dsn = DSN_PARAMS['MAIL' if keyword == 'FROM:' else 'RCPT'] if cfg.get('dsn', True) else ()
    kept = [p for p in params if p.partition('=')[0].upper() not in dsn]
    return keyword + stripped[:len(stripped) - len(rest)] + ' ' + ' '.join(kept), params


def preserving(base):
    """aiosmtpd upper-cases MAIL/RCPT parameters and rejects DSN ones (RFC 3461); this keeps
    them exactly as the client sent them and accepts RET/ENVID/NOTIFY/ORCPT."""
    class Server(base):
        async def smtp_MAIL(self, arg):
            split = split_params(self, 'FROM:', arg)
            if split is None or self.envelope.mail_from is not None:
                return await super().smtp_MAIL(arg)
            await super().smtp_MAIL(split[0])
            if self.envelope.mail_from is not None:
                self.envelope.mail_options = split[1]

        async def smtp_RCPT(self, arg):
            split = split_params(self, 'TO:', arg)
            before = len(self.envelope.rcpt_tos) if self.envelope else 0
            if split is None:
                return await super().smtp_RCPT(arg)
            await super().smtp_RCPT(split[0])
            if len(self.envelope.rcpt_tos) > before:
                self.envelope.rcpt_options.extend(split[1])
    return Server


def authenticator(expected):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == expected['user'].encode('utf-8')
            and auth_data.password == expected['pass'].encode('utf-8')
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return check


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ctx = None
    if security in ('starttls', 'implicit'):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cfg['cert'], cfg['key'])
    auth = cfg.get('auth')
    kwargs = {
        'decode_data': False,
        'enable_SMTPUTF8': cfg.get('smtputf8', True),
        'hostname': 'localhost',
        'loop': loop,
    }
    if cfg.get('data_size_limit') is not None:
        kwargs['data_size_limit'] = cfg['data_size_limit']
    if security == 'starttls':
        kwargs['tls_context'] = ctx
        kwargs['require_starttls'] = bool(cfg.get('require_starttls'))
    if auth:
        kwargs['authenticator'] = authenticator(auth)
        kwargs['auth_required'] = True
        # aiosmtpd only knows about STARTTLS; an implicit-TLS socket is already encrypted.
        kwargs['auth_require_tls'] = security == 'starttls'
    cls = preserving(LMTP if lmtp else SMTP)
    handler = Handler()
    server = loop.run_until_complete(loop.create_server(
        lambda: cls(handler, **kwargs), host='127.0.0.1', port=0,
        ssl=ctx if security == 'implicit' else None))
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(json.dumps({'port': port}) + '\n')
    sys.stdout.flush()

    def watch_stdin():
        sys.stdin.buffer.read()
        # stop() or the death of the test process: leave nothing behind.
        shutil.rmtree(cfg['root'], ignore_errors=True)
        os._exit(0)
    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.run_forever()


if __name__ == '__main__':
    main()
