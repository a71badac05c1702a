"""aiosmtpd test server for @mail/testkit.

Usage: aiosmtpd_server.py '<json config>'
Config keys: root (temp dir, removed on exit), dir, security ('none'|'starttls'|'implicit'), require_starttls, cert, key,
auth ({user, pass} or null), lmtp, smtputf8, data_size_limit,
oauth2 ({introspection_url, user, mechanisms} or null: XOAUTH2/OAUTHBEARER accepting tokens that
the RFC 7662 introspection endpoint calls active).
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
import urllib.parse
import urllib.request

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

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


def introspect(token):
    data = urllib.parse.urlencode({'token': token}).encode('ascii')
    request = urllib.request.Request(cfg['oauth2']['introspection_url'], data=data)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def parse_xoauth2(blob):
    # 'user=U^Aauth=Bearer T^A^A'
    fields = dict(f.split('=', 1) for f in blob.decode('utf-8').split('\x01') if '=' in f)
    return fields.get('user'), fields.get('auth', '')


def parse_oauthbearer(blob):
    # RFC 7628 3.1: gs2-header 'n,a=U,' then ^A-separated key=value pairs, ending ^A^A.
    text = blob.decode('utf-8')
    header, _, rest = text.partition('\x01')
    parts = header.split(',')
    user = None
    if len(parts) >= 2 and parts[1].startswith('a='):
        user = parts[1][2:].replace('=2C', ',').replace('=3D', '=')
    fields = dict(f.split('=', 1) for f in rest.split('\x01') if '=' in f)
    return user, fields.get('auth', '')


class OAuthHandler(Handler):
    """XOAUTH2 and OAUTHBEARER: a refused token gets a 334 JSON error challenge, the client's
    answer (empty for XOAUTH2, ^A for OAUTHBEARER, RFC 7628 3.2.3), then 535."""

    async def _oauth(self, server, args, parse, error, answer):
        if len(args) == 1:
            blob = await server.challenge_auth('')
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1].encode(), validate=True)
            except Exception:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        user, auth = parse(blob)
        if not auth.startswith('Bearer ') or not user:
            await server.push('501 5.5.2 Malformed OAuth message')
            return AuthResult(success=False, handled=True)
        token = auth[len('Bearer '):]
        loop = asyncio.get_running_loop()
        info = await loop.run_in_executor(None, introspect, token)
        expected = cfg['oauth2'].get('user')
        if info.get('active') and (expected is None or expected == user):
            return AuthResult(success=True, auth_data=user)
        reply = await server.challenge_auth(json.dumps(error))
        if reply is MISSING:
            return AuthResult(success=False, handled=True)
        if reply != answer:
            await server.push('501 5.5.2 Wrong answer to the error challenge')
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server, args):
        error = {'status': '400', 'schemes': 'Bearer', 'scope': 'https://mail.google.com/'}
        return await self._oauth(server, args, parse_xoauth2, error, b'')

    async def auth_OAUTHBEARER(self, server, args):
        error = {'status': 'invalid_token', 'scope': 'https://mail.google.com/'}
        return await self._oauth(server, args, parse_oauthbearer, error, b'\x01')


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
    oauth2 = cfg.get('oauth2')
    if auth:
        kwargs['authenticator'] = authenticator(auth)
    if auth or oauth2:
        kwargs['auth_required'] = True
        # aiosmtpd only knows about STARTTLS; an implicit-TLS socket is already encrypted.
        kwargs['auth_require_tls'] = security == 'starttls'
    if oauth2:
        offered = set(oauth2.get('mechanisms') or ['XOAUTH2', 'OAUTHBEARER'])
        excluded = {'XOAUTH2', 'OAUTHBEARER'} - offered
        if not auth:
            excluded |= {'PLAIN', 'LOGIN'}
        kwargs['auth_exclude_mechanism'] = sorted(excluded)
    cls = preserving(LMTP if lmtp else SMTP)
    handler = OAuthHandler() if oauth2 else Handler()
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
