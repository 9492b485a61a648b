# moto_server with moto's request handling run one request at a time. Started by testkit/moto.ts.
#
# moto's models are not thread-safe, and `moto_server` serves each connection on its own thread. Under concurrent
# calls it answers some with a 500 ("RuntimeError: dictionary changed size during iteration" in EC2's security
# groups: 9 of 1,500 concurrent CreateSecurityGroup calls with the CPU busy), sometimes after it has already
# changed its state. The AWS SDK retries a 500, and the retry meets what the first attempt did (the
# InvalidPermission.NotFound and EntityAlreadyExists CI met): a failure the real cloud does not produce that way.
# So the server here still reads and writes on many threads, but moto's own code runs under one lock.
#
# Nothing the tests use blocks inside moto (no long polls such as SQS's WaitTimeSeconds), so the lock never waits
# on a client: the request body is read before it is taken and the answer is written after it is released.
import argparse
import io
import os
import re
import signal
import sys
import threading
import time

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


class OneAtATime:
    def __init__(self, app, request_log):
        self.app = app
        self.lock = threading.Lock()
        self.request_log = request_log

    def __call__(self, environ, start_response):
        body = self._read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        statuses = []

        def record_status(status, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info)

        # The answer is built (and moto's models read) inside the lock; werkzeug sends it after.
        with self.lock:
            answer = list(self.app(environ, record_status))
            if self.request_log:
                self._log(environ, body, statuses)
        return answer

    def _log(self, environ, body, statuses):
        # Which call, and which attempt of the AWS SDK's retries it was (amz-sdk-request: "attempt=2; max=25"): what
        # tells a retry meeting its own first attempt apart from two callers. No bodies: they may hold secrets.
        action = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body)
        target = environ.get("HTTP_X_AMZ_TARGET")
        what = action.group(1).decode() if action else target or environ.get("PATH_INFO", "")
        self.request_log.write(
            f"{time.time():.3f} {environ.get('REQUEST_METHOD')} {what} "
            f"[{environ.get('HTTP_AMZ_SDK_REQUEST', '-')}] {environ.get('HTTP_AMZ_SDK_INVOCATION_ID', '-')} "
            f"-> {statuses[0] if statuses else '?'}\n"
        )
        self.request_log.flush()

    @staticmethod
    def _read_body(environ):
        # werkzeug's input is the socket itself: a chunked body (marked terminated) ends by itself, any other is
        # read to its Content-Length, never to the end of the connection.
        if environ.get("wsgi.input_terminated"):
            return environ["wsgi.input"].read()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        return environ["wsgi.input"].read(length) if length > 0 else b""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--request-log", help="append one line per request (call, SDK attempt, status) here")
    args = parser.parse_args()
    # moto builds some URLs (S3 presigning, SQS queue URLs) from MOTO_PORT, as moto_server sets it.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    request_log = open(args.request_log, "a", encoding="utf-8") if args.request_log else None
    run_simple(args.host, args.port, OneAtATime(app, request_log), threaded=True)


if __name__ == "__main__":
    main()
