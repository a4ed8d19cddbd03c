#!/usr/bin/env python3
"""Serve a mirror directory (<host>/<path> layout) over HTTP on 127.0.0.1, for tests.

usage: mirror_server.py DIR PORTFILE [--html PATH]... [--status PATH=CODE]...
                       [--delay PATH=SECONDS]... [--delay-all SECONDS]
                       [--lifetime SECONDS] [--log FILE]
Binds an ephemeral port on 127.0.0.1 and writes it to PORTFILE. --html PATH
answers that URL path with an HTML error page (status 200, as a captive
portal or a CDN error page would); --status PATH=CODE answers with that code;
--delay PATH=SECONDS waits that long before answering (to hold a run open);
--delay-all SECONDS delays every answer (a distant server, for the bench).
Files are sent with Last-Modified and an ETag (mtime and size), and a
conditional GET (If-None-Match, else If-Modified-Since) of an unchanged file
gets 304 Not Modified. --log FILE appends a line per answered request,
"METHOD PATH START END" (monotonic seconds: arrival, answer sent). Stops by itself after 300 s (--lifetime) so a failed
test never leaves it running.
"""
import http.server
import os
import sys
import threading
import time

def main():
    root, portfile = sys.argv[1], sys.argv[2]
    html, status, delay = set(), {}, {}
    delay_all, lifetime, log = 0.0, 300.0, None
    args = sys.argv[3:]
    while args:
        flag, value = args[0], args[1]
        args = args[2:]
        if flag == "--html":
            html.add(value)
        elif flag == "--status":
            path, code = value.rsplit("=", 1)
            status[path] = int(code)
        elif flag == "--delay":
            path, secs = value.rsplit("=", 1)
            delay[path] = float(secs)
        elif flag == "--delay-all":
            delay_all = float(value)
        elif flag == "--lifetime":
            lifetime = float(value)
        elif flag == "--log":
            log = value
        else:
            sys.exit("unknown option " + flag)

    lock = threading.Lock()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def answer(self, method):
            # when each request arrived and was answered (for --log)
            start = time.monotonic()
            try:
                method()
            finally:
                if log:
                    with lock, open(log, "a") as f:
                        f.write("%s %s %.6f %.6f\n" % (self.command, self.path, start,
                                                       time.monotonic()))

        def log_message(self, fmt, *a):
            pass

        def send_head(self):
            # ETag and If-None-Match; If-Modified-Since is the base class's
            self.etag = None
            local = self.translate_path(self.path)
            if os.path.isfile(local):
                st = os.stat(local)
                self.etag = '"%x-%x"' % (st.st_mtime_ns, st.st_size)
                inm = self.headers.get("If-None-Match")
                if inm is not None:
                    tags = [t.strip() for t in inm.split(",")]
                    if self.etag in tags or "*" in tags:
                        self.send_response(304)
                        self.end_headers()
                        return None
            return super().send_head()

        def end_headers(self):
            if getattr(self, "etag", None):
                self.send_header("ETag", self.etag)
            super().end_headers()

        def do_GET(self):
            self.answer(self.get)

        def do_HEAD(self):
            self.answer(self.head)

        def get(self):
            path = self.path.split("?", 1)[0]
            self.etag = None
            if delay_all:
                time.sleep(delay_all)
            if path in delay:
                time.sleep(delay[path])
            if path in html:
                body = b"<!DOCTYPE html><html><body><h1>Access Denied</h1></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif path in status:
                self.send_error(status[path])
            else:
                super().do_GET()

        def head(self):
            # the same answers as GET (occsnap probes for releases with HEAD)
            path = self.path.split("?", 1)[0]
            self.etag = None
            if delay_all:
                time.sleep(delay_all)
            if path in delay:
                time.sleep(delay[path])
            if path in status:
                self.send_response(status[path])
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                super().do_HEAD()

    class Server(http.server.ThreadingHTTPServer):
        # the default backlog of 5 drops the SYN of a sixth concurrent
        # connection, which then waits a second to try again: a parallel
        # fetch would measure the backlog, not itself
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, portfile)
    threading.Timer(lifetime, server.shutdown).start()
    server.serve_forever()

if __name__ == "__main__":
    main()
