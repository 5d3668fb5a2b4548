#!/usr/bin/env python3
"""A FlowActors component in Python, standard library only, written from docs/components.md ("The protocol").

Actions:
  greet   adds "greeting": "<greeting>, <name>!" (configuration {"greeting": "Hello"}, the default)
  tally   adds the body's "amount" (1 when it has none) to a running total kept in the step's snapshot,
          and passes the body on with "total"
  check   passes an object with a "name" on; an object without one is an error, anything else poison
  reply   answers the HTTP request that started the execution with the body (configuration {"status": 200})

Run by the platform, it listens where FLOWACTORS_PORT says; by hand:
  FLOWACTORS_PORT=8090 python3 samples/python/tally.py
  curl -s 127.0.0.1:8090/invoke -d '{"action":"greet","message":{"id":"1","executionId":"1","body":{"name":"ada"}}}'
"""

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACTIONS = ("greet", "tally", "check", "reply")


def greet(body, configuration, snapshot):
    greeting = configuration.get("greeting", "Hello")
    name = body.get("name", "there") if isinstance(body, dict) else "there"
    return [{"kind": "data", "body": {**as_object(body), "greeting": f"{greeting}, {name}!"}}], snapshot


def tally(body, configuration, snapshot):
    amount = body.get("amount", 1) if isinstance(body, dict) else 1
    total = (snapshot or {}).get("total", 0) + amount
    snapshot = {"total": total}
    return [{"kind": "snapshot", "body": snapshot}, {"kind": "data", "body": {**as_object(body), "total": total}}], snapshot


def check(body, configuration, snapshot):
    if not isinstance(body, dict):
        return [{"kind": "poison", "error": f"expected a JSON object, got {type(body).__name__}"}], snapshot
    if "name" not in body:
        return [{"kind": "error", "error": "the body has no 'name'"}], snapshot
    return [{"kind": "data", "body": body}], snapshot


def reply(body, configuration, snapshot):
    return [{"kind": "httpReply", "status": configuration.get("status", 200), "body": body}], snapshot


HANDLERS = {"greet": greet, "tally": tally, "check": check, "reply": reply}


def as_object(body):
    return body if isinstance(body, dict) else {"value": body}


def run(action, message, configuration, snapshot):
    """The emits for one message, and the snapshot the next message of a batch sees."""
    try:
        return HANDLERS[action](message.get("body"), configuration or {}, snapshot)
    except Exception as e:  # a failing action fails its message; the component lives on
        print(f"warning: {action} failed on message {message.get('id')}: {e!r}", file=sys.stderr, flush=True)
        return [{"kind": "error", "error": f"{action} failed: {e}"}], snapshot


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the platform reuses its connection for every call

    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"status": "ready"})
        else:
            self.answer(404, {"error": f"No route for GET {self.path}; this component serves GET /healthz, POST /invoke and POST /invoke/batch."})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        try:
            request = json.loads(self.rfile.read(length))
        except ValueError as e:
            return self.answer(400, {"error": f"The request is not JSON: {e}"})
        action = request.get("action") if isinstance(request, dict) else None
        if action not in HANDLERS:
            return self.answer(400, {"error": f"Unknown action '{action}'. This component serves: {', '.join(ACTIONS)}."})

        configuration, snapshot = request.get("configuration"), request.get("snapshot")
        if self.path == "/invoke":
            emits, _ = run(action, request.get("message") or {}, configuration, snapshot)
            return self.answer(200, {"emits": emits})
        if self.path == "/invoke/batch":
            # Every message of a batch is sent with the snapshot from before it: carry it from one message to the next.
            results = []
            for message in request.get("messages") or []:
                emits, snapshot = run(action, message, configuration, snapshot)
                results.append({"emits": emits})
            print(f"served a batch of {len(results)} on {action}", flush=True)
            return self.answer(200, {"results": results})
        self.answer(404, {"error": f"No route for POST {self.path}."})

    def answer(self, status, value):
        body = json.dumps(value).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # one line per request would flood the silo's log


def main():
    port = os.environ.get("FLOWACTORS_PORT", "")
    if not port.isdigit():
        print(f"FLOWACTORS_PORT is '{port}'; expected the port to listen on", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # Docker's orderly stop: exit at once
    print(f"listening on 127.0.0.1:{port} for step {os.environ.get('FLOWACTORS_FLOW')}/{os.environ.get('FLOWACTORS_STEP')}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
