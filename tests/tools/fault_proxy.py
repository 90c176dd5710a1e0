#!/usr/bin/env python3
"""A small fault-injecting TCP proxy for tests: listens on 127.0.0.1:LISTEN and forwards every
connection to 127.0.0.1:TARGET, with faults on the server-to-client direction:
  --rate BYTES_PER_S   deliver at most this fast (a slow link: a long transfer to interrupt)
  --cut-after N        close both sides after N bytes from the server (a dropped connection)
  --stall-after N      after N bytes from the server, forward nothing more (a hung server)
  --reset-after N      after N bytes from the server, reset the client's connection (RST)
  --hold-while PATH    while PATH exists, forward nothing more from the server (the test, not the
                       clock, decides that a transfer is surely mid-way; give the client a read
                       timeout longer than the hold); then go on
and on the client-to-server direction, when the client sends TEXT (a plain-text protocol: TLS
hides it; the chunk holding TEXT is not forwarded):
  --cut-on TEXT        close both sides
  --stall-on TEXT      forward nothing more either way (the connection stays open)
  --reset-on TEXT      reset the client's connection (RST)
Byte counts and patterns are per connection. Prints "ready" on stdout once listening, and one line
"fault: ..." each time a fault fires (a test can check that its fault really happened); runs until
killed. TLS passes through untouched.
usage: fault_proxy.py LISTEN TARGET [options]"""
import argparse
import asyncio
import os
import socket
import struct
import sys


async def pump(reader, writer, on_bytes=None):
    try:
        while True:
            data = await reader.read(16384)
            if not data:
                break
            if on_bytes is not None:
                data = await on_bytes(data)
                if data is None:
                    return
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("listen", type=int)
    p.add_argument("target", type=int)
    p.add_argument("--rate", type=int)
    p.add_argument("--cut-after", type=int)
    p.add_argument("--stall-after", type=int)
    p.add_argument("--reset-after", type=int)
    p.add_argument("--hold-while")
    p.add_argument("--cut-on")
    p.add_argument("--stall-on")
    p.add_argument("--reset-on")
    args = p.parse_args()
    patterns = [(text.encode(), action) for text, action in
                ((args.cut_on, "cut"), (args.stall_on, "stall"), (args.reset_on, "reset")) if text]

    def say(line):
        print(line, flush=True)

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", args.target)
        except OSError:
            client_writer.close()
            return
        sent = 0
        seen = b""  # the client's last bytes, so a pattern split across reads is still found
        stalled = asyncio.Event()
        loop = asyncio.get_running_loop()
        start = loop.time()

        def close_both(action):
            sock = client_writer.get_extra_info("socket")
            if action == "reset" and sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client_writer.close()
            server_writer.close()

        async def from_server(data):
            nonlocal sent
            if stalled.is_set():
                await asyncio.sleep(3600)
            for limit, action in ((args.cut_after, "cut"), (args.stall_after, "stall"), (args.reset_after, "reset")):
                if limit is not None and sent + len(data) > limit:
                    head = data[: max(limit - sent, 0)]
                    if head:
                        client_writer.write(head)
                        await client_writer.drain()
                    sent = limit
                    say(f"fault: {action} after {limit} bytes from the server")
                    if action == "stall":
                        await asyncio.sleep(3600)
                    close_both(action)
                    return None
            sent += len(data)
            if args.hold_while and os.path.exists(args.hold_while):
                say("fault: hold while " + args.hold_while + " exists")
                while os.path.exists(args.hold_while):
                    await asyncio.sleep(0.05)
            if args.rate:
                due = start + sent / args.rate
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            return data

        async def from_client(data):
            nonlocal seen
            if stalled.is_set():
                await asyncio.sleep(3600)
            window = seen + data
            for text, action in patterns:
                if text in window:
                    say(f"fault: {action} on {text.decode(errors='replace')!r} from the client")
                    if action == "stall":
                        stalled.set()
                        await asyncio.sleep(3600)
                    close_both(action)
                    return None
            keep = max((len(t) for t, _ in patterns), default=1) - 1
            seen = window[-keep:] if keep > 0 else b""
            return data

        await asyncio.gather(pump(client_reader, server_writer, on_bytes=from_client if patterns else None),
                             pump(server_reader, client_writer, on_bytes=from_server))

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
        say("ready")
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
