#!/usr/bin/env python3
"""Load a page in headless Chromium and check it, over the DevTools protocol.

    cdp.py URL CHECKS.json SCREENSHOT.png NAME

The browser speaks the protocol on a pipe (--remote-debugging-pipe: JSON
messages ending in NUL, commands on fd 3, replies on fd 4), so nothing
beyond Python's standard library and Debian's chromium is needed. The page
is loaded; every console error, uncaught exception, error log entry and
request that leaves the page's own file or origin is a failure. CHECKS is a
list of {"name", "js", "want"}: each js expression is evaluated in the page
and its JSON value compared with want. One PASS/FAIL line per check, a
screenshot of the whole page, exit 1 on any failure.
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.parse

CHROMIUM = os.environ.get("CHROMIUM", "chromium")
LOAD_TIMEOUT = 60


class Browser:
    def __init__(self):
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()
        # The child's fds 3 and 4 are the pipes' ends, and only those: the
        # parent's ends stay out, or the browser would never see EOF.
        keep = {cmd_r: 3, out_w: 4}

        def child_fds():
            for fd, want in keep.items():
                os.dup2(fd, want + 100)
            for fd, want in keep.items():
                os.dup2(want + 100, want)
                os.close(want + 100)
            for fd in (self.cmd_w, self.out_r, cmd_r, out_w):
                if fd not in (3, 4):
                    os.close(fd)
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "--no-first-run",
             "--disable-extensions", "--disable-background-networking",
             "--user-data-dir=" + os.environ.get("CDP_PROFILE", "/tmp/iw-cdp"),
             "--window-size=1320,900", "about:blank"],
            preexec_fn=child_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(out_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no reply from the browser")
            chunk = os.read(self.out_r, 1 << 16)
            if not chunk:
                raise EOFError("the browser closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + LOAD_TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method):
        deadline = time.time() + LOAD_TIMEOUT
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.send("Browser.close")
        except (EOFError, OSError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def problems(events, url):
    """Console errors, exceptions, error logs and requests elsewhere."""
    page = urllib.parse.urlsplit(url)
    found = []
    for ev in events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.exceptionThrown":
            found.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            found.append("console.%s: %s" % (p["type"], [a.get("value") for a in p.get("args", [])]))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            found.append("log: %s" % p["entry"].get("text"))
        elif m == "Network.requestWillBeSent":
            req = urllib.parse.urlsplit(p["request"]["url"])
            if req.scheme == "data":
                continue
            if (req.scheme, req.netloc, req.path) != (page.scheme, page.netloc, page.path):
                found.append("request: %s" % p["request"]["url"])
    return found


def run(url, checks, shot, name):
    b = Browser()
    failed = 0
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.send(domain + ".enable", session=s)
        b.send("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired")
        for c in checks:
            r = b.send("Runtime.evaluate", {"expression": "JSON.stringify(%s)" % c["js"],
                                            "returnByValue": True}, session=s)
            got = json.loads(r["result"].get("value", "null")) if "exceptionDetails" not in r else \
                "exception: %s" % r["exceptionDetails"].get("text")
            ok = got == c["want"]
            failed += not ok
            print("%s  browser.%s%s" % ("PASS" if ok else "FAIL", c["name"],
                                        "" if ok else ": got %r, want %r" % (got, c["want"])))
        shot_data = b.send("Page.captureScreenshot", {"format": "png",
                                                      "captureBeyondViewport": True}, session=s)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(shot_data["data"]))
        # Events that came while checking count too.
        found = problems(b.events, url)
    finally:
        b.close()
    print("%s  browser.%s_no_console_error_or_fetch%s" % (
        "FAIL" if found else "PASS", name, "".join("\n    " + f for f in found)))
    return failed + bool(found)


def main():
    url, checks_path, shot, name = sys.argv[1:5]
    with open(checks_path) as f:
        checks = json.load(f)
    sys.exit(1 if run(url, checks, shot, name) else 0)


if __name__ == "__main__":
    main()
