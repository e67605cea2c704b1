"""Export: the whole command as a process, the in-process stages, and the link checker.

Run: python benchmarks/export.py [--runs N]
Prints median and best of N runs for: `authoring export` as a user runs it (imports,
validation, two renders, message, atomic write); build_export alone (warm, in process);
writing the five files atomically; and check_links over 64 local URLs that each take
50 ms to answer (shows what the bounded concurrency buys).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "0321.yaml"


def report(name: str, times: list[float]) -> None:
    print(f"{name:44} median {statistics.median(times) * 1000:8.1f} ms   best {min(times) * 1000:8.1f} ms")


class _Slow(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_HEAD(self):
        time.sleep(0.05)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    sys.path.insert(0, str(ROOT))
    from authoring import links
    from authoring.export import build_export
    from authoring.files import write_all_atomic

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        report("authoring export 0321.yaml (process)", timed(lambda: subprocess.run(
            [sys.executable, "-m", "authoring", "export", str(SAMPLE), "-o", str(out)],
            cwd=ROOT, capture_output=True, check=True), runs))
        build_export(SAMPLE)  # warm: templates compiled, CSS parsed
        report("build_export (warm, in process)", timed(lambda: build_export(SAMPLE), runs))
        files = build_export(SAMPLE).files()
        print(f"{'':44} files: " + ", ".join(f"{n} {len(d) / 1024:.1f} KB" for n, d in files.items()))
        report("write_all_atomic (5 files, fsync)",
               timed(lambda: write_all_atomic(out, files), runs))

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = [f"http://127.0.0.1:{server.server_address[1]}/{i}" for i in range(64)]
    for workers in (1, 8, 16):
        report(f"check_links 64 URLs x 50 ms, {workers} workers",
               timed(lambda w=workers: links.check_links(urls, workers=w), max(1, runs // 5)))
    server.shutdown()


if __name__ == "__main__":
    main()
