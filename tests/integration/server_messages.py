#!/usr/bin/env python3
"""Prints "sha256 size" of every INBOX message as the lab's Dovecot serves it over IMAPS, sorted,
fetched with Python's own imaplib: an independent client to compare MailDoctor's store against.
usage: server_messages.py HOST PORT USER PASSWORD CA_FILE"""
import hashlib
import imaplib
import ssl
import sys

host, port, user, password, ca_file = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca_file)
imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx)
imap.login(user, password)
imap.select("INBOX", readonly=True)
typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
assert typ == "OK", data
out = []
for item in data:
    if isinstance(item, tuple):
        body = item[1]
        out.append(f"{hashlib.sha256(body).hexdigest()} {len(body)}")
imap.logout()
print("\n".join(sorted(out)))
