#!/usr/bin/env python3
"""Starts a burst of bridge processes as NixOps4 does: each one the moment the one before has been started, with
its request already waiting on its stdin. NixOps4 is a Rust program, whose spawns take ~3 ms each on the benchmark
machine (posix_spawn); a fork of the Node benchmark takes 9-33 ms, which spread a burst of 100 over 1-3 s and made
a delay of the benchmark look like one of the bridge. CPython spawns with vfork, as Rust does.

Reads {"env": {...}, "timeoutSeconds": n, "jobs": [{"argv": [...], "stdin": path, "stdout": path, "stderr": path}]}
on stdin; writes [{"pid", "startMs", "endMs", "exitCode"}] (epoch ms; exitCode negative for a signal) to stdout once every
process has exited. A process still running after timeoutSeconds gets SIGTERM.
"""
import json
import os
import signal
import subprocess
import sys
import time


def main() -> None:
    spec = json.load(sys.stdin)
    started = {}
    results = [None] * len(spec["jobs"])
    for index, job in enumerate(spec["jobs"]):
        with open(job["stdin"], "rb") as stdin, open(job["stdout"], "wb") as stdout, open(job["stderr"], "wb") as stderr:
            start = time.time()
            process = subprocess.Popen(job["argv"], stdin=stdin, stdout=stdout, stderr=stderr, env=spec["env"])
        # Reaped below with os.wait, as each exits: Popen must not try again.
        process.returncode = 0
        started[process.pid] = (index, start)

    def stop_all(_signum, _frame):
        for pid in started:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGALRM, stop_all)
    signal.alarm(int(spec["timeoutSeconds"]))
    while started:
        pid, status = os.wait()
        end = time.time()
        if pid not in started:
            continue
        index, start = started.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        results[index] = {"pid": pid, "startMs": start * 1000, "endMs": end * 1000, "exitCode": code}
    json.dump(results, sys.stdout)


main()
