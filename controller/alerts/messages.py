"""The words of an alert, Vietnamese first and English after in one message (subject
too): which screen, which site, what happened, when (the site's time), and what to do
first, with the runbook section of docs/operations.md that says more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# rule -> (anchor in docs/operations.md, what happened vi/en, first step vi/en)
TEXTS: dict[str, tuple[str, tuple[str, str], tuple[str, str]]] = {
    "screen_offline": ("alert-screen-offline",
                       ("Màn hình mất kết nối", "Screen offline"),
                       ("Kiểm tra nguồn điện và mạng tại điểm; gọi người trực ở điểm.",
                        "Check power and network at the site; call the person on duty.")),
    "timeline_not_acked": ("alert-timeline-not-acked",
                           ("Màn hình chưa nhận lịch phát mới", "Timeline not acknowledged"),
                           ("Xem lỗi cuối của màn hình trên trang Màn hình; gửi lệnh reload.",
                            "Read the screen's last error on the Screens page; send reload.")),
    "media_missing": ("alert-media-missing",
                      ("Màn hình thiếu tệp nội dung", "Media missing on the player"),
                      ("Kiểm tra dung lượng đĩa và kết nối tới máy chủ; gửi lệnh clear_cache.",
                       "Check disk space and the link to the controller; send clear_cache.")),
    "disk_full": ("alert-disk-full",
                  ("Đĩa của máy phát sắp đầy", "Player disk nearly full"),
                  ("Gửi lệnh clear_cache; nếu vẫn đầy, thay thẻ nhớ lớn hơn.",
                   "Send clear_cache; if still full, fit a larger SD card.")),
    "cpu_temp_high": ("alert-cpu-temp-high",
                      ("Nhiệt độ CPU cao", "CPU temperature high"),
                      ("Kiểm tra quạt và thông gió của hộp màn hình.",
                       "Check the fan and ventilation of the screen's enclosure.")),
    "clock_offset": ("alert-clock-offset",
                     ("Đồng hồ máy phát lệch", "Player clock offset too large"),
                     ("Kiểm tra NTP trên máy phát (timedatectl).",
                      "Check NTP on the player (timedatectl).")),
    "kiosk_not_alive": ("alert-kiosk-not-alive",
                        ("Trang kiosk không hoạt động", "Kiosk page not alive"),
                        ("Gửi lệnh reload; nếu không được, khởi động lại máy phát.",
                         "Send reload; if that fails, restart the player.")),
    "screen_black_frozen": ("alert-screen-black-frozen",
                            ("Màn hình đen hoặc đứng hình", "Screen black or frozen"),
                            ("Chụp màn hình (lệnh screenshot) rồi gửi reload.",
                             "Take a screenshot (command) then send reload.")),
    "screen_wrong_content": ("alert-screen-wrong-content",
                             ("Màn hình hiện sai nội dung", "Screen shows the wrong content"),
                             ("Mở Kiểm tra màn hình trên trang Màn hình; gửi reload.",
                              "Open Check screen on the Screens page; send reload.")),
    "emergency_not_shown": ("alert-emergency-not-shown",
                            ("Tin khẩn chưa hiện trên màn hình", "Emergency not shown"),
                            ("Gọi người trực tại điểm để kiểm tra màn hình ngay.",
                             "Call the person on duty at the site to check the screen now.")),
    "journal_gap": ("alert-journal-gap",
                    ("Nhật ký phát bị hụt", "Play journal gap"),
                    ("Xem các phát hiện của nhật ký phát trên trang Báo cáo.",
                     "Read the play journal findings on the Reports page.")),
    "test": ("alerts", ("Tin thử của Pano", "Pano test alert"),
             ("Không cần làm gì: đây là tin thử.", "Nothing to do: this is a test.")),
}
KIND_WORDS = {"open": ("CẢNH BÁO", "ALERT"), "recovery": ("ĐÃ HẾT", "RECOVERED"),
              "flapping": ("CHẬP CHỜN", "FLAPPING"), "test": ("THỬ", "TEST")}


@dataclass(frozen=True)
class Place:
    screen_id: str
    screen_vi: str
    screen_en: str
    site_id: str
    site_vi: str
    site_en: str
    timezone: str


def runbook(rule: str, base: str) -> str:
    return f"{base}#{TEXTS[rule][0]}"


def compose(kind: str, rule: str, severity: str, place: Place, at: datetime,
            detail: dict[str, Any], runbook_base: str,
            incident_id: int | None = None) -> tuple[str, str, dict[str, Any]]:
    """``(subject, body, payload)``; the payload is the webhook's JSON document."""
    _anchor, (what_vi, what_en), (do_vi, do_en) = TEXTS[rule]
    word_vi, word_en = KIND_WORDS[kind]
    try:
        local = at.astimezone(ZoneInfo(place.timezone))
    except (KeyError, ValueError):
        local = at
    when = local.strftime("%Y-%m-%d %H:%M:%S %Z")
    link = runbook(rule, runbook_base)
    subject = (f"[Pano {word_vi} / {word_en}] {what_vi} / {what_en}: {place.screen_vi} "
               f"({place.site_vi})")[:400]
    facts = ", ".join(f"{k}={v}" for k, v in detail.items()) or "-"
    lines = [
        f"{word_vi}: {what_vi}",
        f"Màn hình: {place.screen_vi} ({place.screen_id})",
        f"Điểm: {place.site_vi} ({place.site_id})",
        f"Lúc: {when}",
        f"Mức độ: {severity}",
    ]
    if kind == "flapping":
        lines.append("Sự cố này bật tắt nhiều lần trong một giờ; tạm không báo từng lần.")
    if kind in ("open", "flapping", "test"):
        lines.append(f"Việc làm trước tiên: {do_vi}")
    lines += [f"Hướng dẫn: {link}", "",
              f"{word_en}: {what_en}",
              f"Screen: {place.screen_en} ({place.screen_id})",
              f"Site: {place.site_en} ({place.site_id})",
              f"When: {when}",
              f"Severity: {severity}"]
    if kind == "flapping":
        lines.append("This incident opened and cleared many times within an hour; "
                     "further openings are not sent one by one.")
    if kind in ("open", "flapping", "test"):
        lines.append(f"What to do first: {do_en}")
    lines += [f"Runbook: {link}", "", f"Facts: {facts}"]
    payload = {"kind": kind, "rule": rule, "severity": severity, "incident": incident_id,
               "screen": {"id": place.screen_id, "vi": place.screen_vi, "en": place.screen_en},
               "site": {"id": place.site_id, "vi": place.site_vi, "en": place.site_en},
               "at": at.isoformat(), "detail": detail, "runbook": link,
               "summary": {"vi": what_vi, "en": what_en},
               "first_step": {"vi": do_vi, "en": do_en}, "subject": subject}
    return subject, "\n".join(lines), payload
