# moto_server with moto's request handling run one request at a time. Started by testkit/moto.ts.
#
# moto's models are not thread-safe, and `moto_server` serves each connection on its own thread. Under concurrent
# calls it answers some with a 500 ("RuntimeError: dictionary changed size during iteration" in EC2's security
# groups, 1 in ~600 concurrent CreateSecurityGroup calls with the CPU busy), sometimes after it has already
# changed its state. The AWS SDK retries a 500, and the retry meets what the first attempt did
# (EntityAlreadyExists, InvalidPermission.NotFound): a failure the real cloud does not produce that way. So the
# server here still reads and writes on many threads, but moto's own code runs under one lock.
#
# Nothing the tests use blocks inside moto (no long polls such as SQS's WaitTimeSeconds), so the lock never waits
# on a client: the request body is read before it is taken and the answer is written after it is released.
import argparse
import io
import os
import signal
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


class OneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = self._read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        # The answer is built (and moto's models read) inside the lock; werkzeug sends it after.
        with self.lock:
            return list(self.app(environ, start_response))

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
    args = parser.parse_args()
    # moto builds some URLs (S3 presigning, SQS queue URLs) from MOTO_PORT, as moto_server sets it.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    run_simple(args.host, args.port, OneAtATime(app), threaded=True)


if __name__ == "__main__":
    main()
