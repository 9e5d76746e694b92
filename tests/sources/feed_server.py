"""A real HTTP server on 127.0.0.1 (``http.server`` in a thread) serving the feeds the
data-source tests fetch: good fixtures (a flight board JSON, a CSV with a byte-order
mark, RSS, Atom, an iCalendar with TZIDs) and misbehaving endpoints (slow, trickling,
500, 100 MB, entity bombs, a redirect elsewhere, a web page)."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOARD = """{"updated": "2026-12-06T09:30:00+07:00",
 "arrivals": [
  {"flight": "VN1541", "from": {"vi": "Hà Nội", "en": "Hanoi"}, "scheduled": "10:35",
   "status": "Đã hạ cánh", "gate": 2, "codeshare": ["QH", "BL"]},
  {"flight": "VJ521", "from": {"vi": "TP. Hồ Chí Minh", "en": "Ho Chi Minh City"},
   "scheduled": "11:10", "status": "Đúng giờ", "gate": 1, "delay": null}
 ]}"""

CROSSING = ("\ufeffservice,opens,closes,note\r\n"
            "Cửa khẩu A Đớt,07:00,19:00,\"Mở cả thứ Bảy, Chủ nhật\"\r\n"
            "Tỷ giá LAK/VND,,,1 LAK = 1.17 VND\r\n\r\n")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
 <title>Du lịch Huế</title>
 <lastBuildDate>Sun, 06 Dec 2026 08:00:00 +0700</lastBuildDate>
 <item><title>Lễ hội Áo dài</title><link>https://tourism.pano.example/a</link>
  <description>&lt;p&gt;Khai mạc &lt;b&gt;tối nay&lt;/b&gt; tại Kinh thành&lt;/p&gt;</description>
  <pubDate>Sat, 05 Dec 2026 18:00:00 +0700</pubDate><guid>news-1</guid></item>
 <item><title>Chợ đêm</title><link>https://tourism.pano.example/b</link>
  <description>Mở cửa đến 23:00</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
 <title>Cảng Chân Mây</title><updated>2026-12-06T01:00:00Z</updated>
 <entry><title>Tàu Queen Mary 2 cập cảng</title><id>urn:call:1</id>
  <link rel="alternate" href="https://port.pano.example/calls/1"/>
  <updated>2026-12-06T00:30:00Z</updated><summary>Sáng mai, 07:00</summary></entry>
</feed>"""

CALLS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Pano tests//cruise calls//VI\r
BEGIN:VEVENT\r
UID:call-qm2@port\r
SUMMARY:Queen Mary 2\r
LOCATION:Cảng Chân Mây\r
DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T070000\r
DTEND;TZID=Asia/Ho_Chi_Minh:20261208T180000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:call-spectrum@port\r
SUMMARY:Spectrum of the Seas\r
DTSTART:20261207T000000Z\r
DURATION:PT10H\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:festival@port\r
SUMMARY:Ngày hội cảng\r
DTSTART;VALUE=DATE:20261210\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:long-ago@port\r
SUMMARY:Last year's call\r
DTSTART;TZID=Asia/Ho_Chi_Minh:20251208T070000\r
DTEND;TZID=Asia/Ho_Chi_Minh:20251208T180000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:far-ahead@port\r
SUMMARY:Next year's call\r
DTSTART;TZID=Asia/Ho_Chi_Minh:20270308T070000\r
END:VEVENT\r
END:VCALENDAR\r
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title></item></channel></rss>"""

HUGE = 100 * 1024 * 1024


class FeedServer:
    """``files``: path -> (body, content type); each good file answers with an ETag and
    a 304 to ``If-None-Match`` with it. ``hits`` counts requests per path; ``sent``
    counts the bytes the 100 MB endpoint managed to write before the client left."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {
            "/board.json": (BOARD.encode(), "application/json"),
            "/crossing.csv": (CROSSING.encode(), "text/csv; charset=utf-8"),
            "/news.rss": (RSS.encode(), "application/rss+xml"),
            "/news.atom": (ATOM.encode(), "application/atom+xml"),
            "/calls.ics": (CALLS.encode(), "text/calendar"),
            "/bomb.xml": (BILLION_LAUGHS.encode(), "application/xml"),
            "/external.xml": (EXTERNAL.encode(), "application/xml"),
            "/page": (b"<html><body>Please log in</body></html>", "text/html"),
        }
        self.hits: dict[str, int] = {}
        self.sent = 0
        self.huge_done = threading.Event()
        self.release = threading.Event()  # ends /hold
        self.versions: dict[str, int] = {}
        # path -> the path whose answer it gives (a feed that turns bad: "/live" -> "/slow")
        self.aliases: dict[str, str] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                path = server.aliases.get(path, path)
                try:
                    server.answer(self, path)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def set_file(self, path: str, body: bytes, content_type: str) -> None:
        self.files[path] = (body, content_type)
        self.versions[path] = self.versions.get(path, 0) + 1

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        if path in self.files:
            body, content_type = self.files[path]
            etag = f'"{path.strip("/")}-{self.versions.get(path, 0)}"'
            if handler.headers.get("If-None-Match") == etag:
                handler.send_response(304)
                handler.send_header("ETag", etag)
                handler.end_headers()
                return
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("ETag", etag)
            handler.end_headers()
            handler.wfile.write(body)
        elif path == "/error":
            handler.send_error(500, "Internal Server Error")
        elif path == "/slow":  # answers after the source's 1 s timeout
            time.sleep(2.5)
            handler.send_error(503)
        elif path == "/hold":  # answers when the test says so
            self.release.wait(30)
            handler.send_error(503)
        elif path == "/trickle":  # a byte every 0.2 s, for ever
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            for _ in range(200):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.2)
        elif path == "/huge":  # 100 MB without a Content-Length
            self._huge(handler, declared=False)
        elif path == "/huge-declared":
            self._huge(handler, declared=True)
        elif path == "/redirect-away":
            handler.send_response(302)
            handler.send_header("Location", "http://evil.example/feed.json")
            handler.end_headers()
        elif path == "/loop":
            handler.send_response(302)
            handler.send_header("Location", "/loop")
            handler.end_headers()
        elif path == "/gzip-bomb":  # 2 KB on the wire, 20 MB once inflated
            body = gzip.compress(b"0" * (20 * 1024 * 1024), compresslevel=9)
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        elif path == "/redirect-home":
            handler.send_response(301)
            handler.send_header("Location", "/board.json")
            handler.end_headers()
        else:
            handler.send_error(404)

    def _huge(self, handler: BaseHTTPRequestHandler, declared: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared:
            handler.send_header("Content-Length", str(HUGE))
        handler.end_headers()
        chunk = b"[" + b"1," * 32_767
        try:
            while self.sent < HUGE:
                handler.wfile.write(chunk)
                self.sent += len(chunk)
        finally:
            self.huge_done.set()


@contextmanager
def running() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()
