/** The help text of every command, each with examples. */

export const MAIN_HELP = `mailx: send e-mail from the command line, with a local development inbox.

Usage:
  mailx send [options]        build and send a message (default: into the local inbox)
  mailx inbox [show ID]       list the local inbox, or show one message
  mailx serve [options]       run the local inbox: SMTP on port 2525, the web page on 8025
  mailx enqueue [options]     put a message on a Redis queue, for workers to send
  mailx worker [options]      send the queue's messages through an SMTP server, until stopped
  mailx --version             print the version
  mailx COMMAND --help        help for one command (or: mailx help COMMAND)

Without --smtp or SMTP_URL, \`send\` delivers over a real SMTP conversation into an embedded
inbox: .eml files in .mail/inbox (or MAIL_INBOX).

Examples:
  mailx send --from me@example.com --to you@example.com --subject Hello --text 'Hi there'
  mailx inbox
  mailx inbox show 1
  mailx worker --redis redis://127.0.0.1:6379 --smtp smtps://user:secret@mail.example.com --rate 200/1s
  mailx enqueue --redis redis://127.0.0.1:6379 -f me@example.com -t you@example.com -s Hello --text Hi

Exit codes: 0 success, 1 failure (one line on stderr says why), 2 some recipients rejected.
`

export const SEND_HELP = `mailx send: build a message and send it.

Usage: mailx send --from ADDR --to ADDR [options]

Addresses (ADDR is 'me@example.com', 'Me <me@example.com>' or a comma-separated list):
  -f, --from ADDR          the author (required unless --eml gives it)
  -t, --to ADDR            a recipient (repeatable)
      --cc ADDR            a copy recipient (repeatable)
      --bcc ADDR           a blind copy: in the envelope only, never in the headers (repeatable)
      --reply-to ADDR      where replies go (repeatable)
Content:
  -s, --subject TEXT       the subject
      --text TEXT          the plain-text body
      --text-file PATH     the plain-text body, from a UTF-8 file
                           (without --text/--text-file, a piped stdin is the body)
      --html-file PATH     an HTML body, from a UTF-8 file
  -a, --attach PATH        attach a file (repeatable)
      --inline PATH=CID    an inline part the HTML shows as <img src="cid:CID"> (repeatable)
      --header 'N: value'  an extra header field (repeatable)
      --smtputf8           allow UTF-8 addresses such as jörg@example.de (RFC 6531); the server
                           must offer SMTPUTF8
      --eml FILE           send a ready message as it is ('-' reads stdin); the envelope comes
                           from --from/--to/--cc/--bcc, else from its From/Sender/To/Cc/Bcc;
                           Bcc fields are removed before sending
Delivery:
      --smtp URL           smtp://[user:pass@]host[:port][?security=starttls|none|...] or
                           smtps://...; default: the SMTP_URL environment variable, else the
                           embedded inbox in .mail/inbox (or MAIL_INBOX)
      --ca FILE            trust this PEM CA for the server's certificate (NODE_EXTRA_CA_CERTS
                           works too)
      --proxy URL          connect through socks5://[user:pass@]host[:port] (the proxy resolves
                           the server's name) or http://[user:pass@]host:port (CONNECT); TLS
                           still runs end to end; default: the SMTP_PROXY environment variable
OAuth2 (Gmail, Microsoft 365: the refresh_token grant instead of a password; the URL then carries
the mailbox alone, smtp://me%40gmail.com@smtp.gmail.com:587). Each option has an environment
variable, which is safer for secrets than the command line:
      --oauth2-token-url URL       MAIL_OAUTH2_TOKEN_URL      the token endpoint (required)
      --oauth2-client-id ID        MAIL_OAUTH2_CLIENT_ID      the OAuth client (required)
      --oauth2-client-secret S     MAIL_OAUTH2_CLIENT_SECRET  its secret (public clients: none)
      --oauth2-refresh-token T     MAIL_OAUTH2_REFRESH_TOKEN  the refresh token (required)
      --oauth2-scope 'S1 S2'       MAIL_OAUTH2_SCOPE          scopes to ask for (Microsoft)
      --dry-run            print the message that would be sent; send nothing
Output:
      --json               print the result as JSON on stdout, {"error": ...} on failure;
                           no progress
  -v, --verbose            print the SMTP transcript (passwords redacted) and stack traces
  -h, --help               this help

Examples:
  mailx send --from me@example.com --to you@example.com --subject Hello --text 'Hi there' --attach README.md
  echo 'Build passed' | mailx send -f ci@example.com -t team@example.com -s 'CI'
  mailx send -f me@example.com -t you@example.com --html-file page.html --inline logo.png=logo
  mailx send --eml message.eml --smtp 'smtp://user:secret@mail.example.com:587'
  mailx send -f me@example.com -t you@example.com --header 'X-Campaign: fall' --dry-run
  SMTP_URL=smtps://user:secret@mail.example.com mailx send -f me@example.com -t you@example.com --text Hi --json
  SMTP_PROXY=socks5://proxy.corp:1080 mailx send -f me@example.com -t you@example.com --text Hi --smtp smtps://user:secret@mail.example.com
  MAIL_OAUTH2_TOKEN_URL=https://oauth2.googleapis.com/token MAIL_OAUTH2_CLIENT_ID=... MAIL_OAUTH2_CLIENT_SECRET=... \
    MAIL_OAUTH2_REFRESH_TOKEN=... mailx send -f me@gmail.com -t you@example.com --text Hi --smtp 'smtp://me%40gmail.com@smtp.gmail.com:587'

Exit codes: 0 every recipient accepted; 2 some rejected (listed); 1 failure.
`

export const INBOX_HELP = `mailx inbox: read the local inbox (.mail/inbox, or MAIL_INBOX).

Usage:
  mailx inbox [list]       list messages, oldest first: number, date, from, to, subject, size,
                           attachments
  mailx inbox show ID      print one message: its envelope, headers (decoded), text body (or the
                           HTML body as text) and attachments; ID is its number in the list or the
                           start of its file name

Options:
      --save-attachments DIR
                           with show: write the message's attachments into DIR (an existing
                           file is never replaced)
      --json               print JSON on stdout
  -v, --verbose            stack traces on failure
  -h, --help               this help

Examples:
  mailx inbox
  mailx inbox show 3
  mailx inbox show 20261128T2010 --save-attachments ./attachments
  MAIL_INBOX=/tmp/inbox mailx inbox --json
`

export const SERVE_HELP = `mailx serve: run the local inbox: an SMTP server other programs send to, and a web page
that shows what arrived, live.

Usage: mailx serve [--smtp-port 2525] [--http-port 8025] [--host 127.0.0.1]

Every message received is stored as an .eml file in .mail/inbox (or MAIL_INBOX), its envelope
beside it; \`mailx inbox\` reads the same folder. Plain SMTP, no TLS; any AUTH credentials are
accepted. The web page and its JSON API (/api/messages, /api/events) are on the HTTP port.
Ctrl-C (or SIGTERM) stops it cleanly.

Options:
      --smtp-port PORT     SMTP port (default 2525; 0 picks a free one)
  -p, --port PORT          the same as --smtp-port
      --http-port PORT     web page and API port (default 8025; 0 picks a free one)
      --host HOST          address both listen on (default 127.0.0.1, this machine only)
      --max-message-size SIZE
                           refuse larger messages with 552 (default 25MB; e.g. 10MB, 1048576)
      --max-connections N  SMTP clients at a time, more are refused with 421 (default 100)
      --json               one JSON object per line: the listening addresses, then each message
  -v, --verbose            stack traces on failure
  -h, --help               this help

Examples:
  mailx serve
  mailx serve --smtp-port 1025 --http-port 1080
  SMTP_URL='smtp://127.0.0.1:2525?security=none' mailx send -f me@example.com -t you@example.com --text Hi
`

/** Where the queue is: the same two options for `enqueue` and `worker`. */
const QUEUE_OPTIONS = `Queue:
      --redis URL          the Redis server: redis://[user:password@]host[:port][/db] or
                           rediss://... (TLS) or redis+unix:///PATH; default: the REDIS_URL
                           environment variable, else redis://127.0.0.1:6379
      --queue NAME         the queue's name (default mail); workers and enqueue must agree`

export const ENQUEUE_HELP = `mailx enqueue: put a message on a queue in Redis; \`mailx worker\` processes send it.

Usage: mailx enqueue --from ADDR --to ADDR [options]
       mailx enqueue --status ID

Prints the job's id on stdout. The message is checked before anything is stored (a bad address
fails here, not in the worker); attached files are read now and stored in Redis with the job.

Message (as \`mailx send\` takes it):
  -f, --from ADDR          the author (required)
  -t, --to ADDR            a recipient (repeatable); --cc, --bcc, --reply-to likewise
  -s, --subject TEXT       the subject
      --text TEXT          the plain-text body (or --text-file PATH, or a piped stdin)
      --html-file PATH     an HTML body
  -a, --attach PATH        attach a file (repeatable); --inline PATH=CID for inline images
      --header 'N: value'  an extra header field (repeatable)
Job:
      --idempotency-key KEY
                           enqueueing the same key again gives the first job's id, and no
                           second message (e.g. the order number of a receipt)
      --delay DURATION     send no sooner than this from now: 500ms, 30s, 5m, 2h
      --priority N         1 is the highest priority; jobs without one go first
      --status ID          print the job's state and each recipient's outcome instead
${QUEUE_OPTIONS}
Output:
      --json               {"id": ...} (or the status) as JSON on stdout, {"error": ...} on failure
  -v, --verbose            stack traces on failure
  -h, --help               this help

Examples:
  mailx enqueue -f news@example.com -t reader@example.org -s 'Issue 12' --html-file issue12.html
  mailx enqueue -f shop@example.com -t buyer@example.org -s Receipt --text-file r.txt --idempotency-key order-8812
  mailx enqueue --redis redis://10.0.0.5:6379 -f me@example.com -t you@example.com --text Later --delay 10m
  mailx enqueue --status 42

Exit codes: 0 queued (or status printed); 1 failure.
`

export const WORKER_HELP = `mailx worker: send the messages of a Redis queue through an SMTP server, until stopped.

Usage: mailx worker [--smtp URL] [--redis URL] [options]

Start as many workers as you like, on one machine or many: they share the queue, and the rate
limits hold for all of them together. Each recipient accepted by the server is recorded and never
sent to again; a worker that dies leaves its jobs to the others. Prints one line per finished
job: its state (sent, partial, failed, unknown), its id, and the recipients not accepted.
Ctrl-C (or SIGTERM) finishes the jobs in hand, then exits 0.

Delivery (as \`mailx send\` takes it):
      --smtp URL           smtp://[user:pass@]host[:port][?security=...] or smtps://...;
                           default: the SMTP_URL environment variable, else (to try it out) an
                           embedded inbox in .mail/inbox (or MAIL_INBOX), read by mailx inbox
      --ca FILE            trust this PEM CA for the server's certificate
      --proxy URL          connect through socks5://... or http://... (or SMTP_PROXY)
      --oauth2-token-url URL, --oauth2-client-id ID, --oauth2-client-secret S,
      --oauth2-refresh-token T, --oauth2-scope 'S1 S2'
                           OAuth2 instead of a password, or the MAIL_OAUTH2_* variables (see
                           mailx send --help)
Work:
  -c, --concurrency N      messages in progress at once in this worker
      --rate N/DURATION    at most N messages in any window of DURATION, for all the workers of
                           the queue together, retries included: 200/1s, 20/500ms, 10000/1h
      --domain-rate N/DURATION
                           the same, per recipient domain
${QUEUE_OPTIONS}
Output:
      --json               one JSON object per line: started, each job, stopped
  -v, --verbose            stack traces on failure
  -h, --help               this help

Examples:
  mailx worker --smtp smtps://user:secret@mail.example.com --rate 200/1s
  mailx worker                     # into the local inbox, from the queue at redis://127.0.0.1:6379
  SMTP_URL='smtp://127.0.0.1:2525?security=none' mailx worker --concurrency 20
  mailx worker --redis redis://queue.internal:6379 --queue newsletters --smtp smtp://relay:587 --domain-rate 20/1s

Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 failure (one line on stderr says why).
`
