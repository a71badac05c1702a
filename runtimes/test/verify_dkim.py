"""Verifies DKIM signatures with Debian's python3-dkim (dkimpy), an implementation independent of
@mail/mime/dkim. Reads JSON from stdin:
  {"records": {"<selector>._domainkey.<domain>.": "v=DKIM1; k=...; p=..."}, "messages": ["<base64>"]}
and prints one JSON list, per message {"ok": bool, "count": int, "error": str|null}: ok means
every DKIM-Signature field of the message verifies. DNS is answered from "records" only, so nothing
leaves the machine. Run with /usr/bin/python3 (the pyenv python3 lacks dkim and nacl)."""
import base64
import json
import sys

import dkim

request = json.load(sys.stdin)
records = request["records"]


def dnsfunc(name, timeout=5):
    key = name.decode("ascii") if isinstance(name, bytes) else name
    record = records.get(key)
    return record.encode("ascii") if record is not None else None


results = []
for b64 in request["messages"]:
    message = base64.b64decode(b64)
    count = 0
    try:
        verifier = dkim.DKIM(message, minkey=1024)
        count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
        ok = count > 0 and all(verifier.verify(idx=i, dnsfunc=dnsfunc) for i in range(count))
        results.append({"ok": bool(ok), "count": count, "error": None})
    except Exception as error:  # dkimpy raises for e.g. a body hash mismatch: report the reason
        results.append({"ok": False, "count": count, "error": f"{type(error).__name__}: {error}"})

print(json.dumps(results))
