#!/usr/bin/env python3
"""A token endpoint stand-in for tests, on 127.0.0.1:PORT: every request to any path is either
forwarded to UPSTREAM (a real token endpoint: the lab's oidc-provider) or answered with a canned
fault, as the first word of MODE_FILE says at the time of the request (re-read each time):
  forward      pass the request (method, body, Content-Type, Authorization) to UPSTREAM and its
               answer back
  html         200 with a captive portal's HTML page
  500          500 with a plain-text error
  wrong-shape  200 JSON that is not a token response: token_type missing, an access_token given
               (the value of SECRET, which must never be shown)
  array        200 with a JSON array
Prints "ready" on stdout once listening, then one line per request: "METHOD PATH -> MODE STATUS".
usage: fake_token_endpoint.py PORT UPSTREAM MODE_FILE SECRET"""
import http.server
import json
import sys
import urllib.error
import urllib.request

port, upstream, mode_file, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

CANNED = {
    "html": (200, "text/html; charset=utf-8",
             "<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head>\n"
             "<body><h1>Welcome to the Guest Wi-Fi</h1><p>Accept the terms to continue.</p></body></html>\n"),
    "500": (500, "text/plain", "token store unavailable: upstream database timeout\n"),
    "wrong-shape": (200, "application/json", json.dumps({"access_token": secret, "expires_in": 3600})),
    "array": (200, "application/json", json.dumps([{"access_token": secret, "token_type": "Bearer"}])),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def mode(self):
        try:
            with open(mode_file) as f:
                return (f.read().split() or ["forward"])[0]
        except OSError:
            return "forward"

    def answer(self, status, content_type, body):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        mode = self.mode()
        if mode in CANNED:
            status, ctype, data = CANNED[mode]
        else:
            mode = "forward"
            req = urllib.request.Request(upstream, data=body, method=self.command)
            for h in ("Content-Type", "Authorization", "Accept"):
                if self.headers.get(h):
                    req.add_header(h, self.headers[h])
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    status, ctype, data = r.status, r.headers.get("Content-Type", "application/json"), r.read()
            except urllib.error.HTTPError as e:
                status, ctype, data = e.code, e.headers.get("Content-Type", "application/json"), e.read()
        # Logged before the answer: once the client has it, the test may read this log.
        print(f"{self.command} {self.path} -> {mode} {status}", flush=True)
        self.answer(status, ctype, data)

    do_GET = handle_any
    do_POST = handle_any

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
