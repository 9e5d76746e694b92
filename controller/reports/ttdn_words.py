"""The yearly report's words in Vietnamese (the document's language) and English (on
request), and numbers written the way each language writes them. The report is made by
the API and by the command line, outside the panel's Flask-Babel catalogues, so its few
dozen phrases live here, one declaration for the HTML, the PDF and the CSV."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {  # key: (Vietnamese, English)
    "title": ("Báo cáo thông tin đối ngoại năm {year}",
              "Foreign-information report {year}"),
    "subtitle": ("Hệ thống màn hình thông tin đối ngoại tỉnh Thừa Thiên Huế",
                 "Thừa Thiên Huế province foreign-information screens"),
    "whole_province": ("Toàn tỉnh (mọi cơ quan)", "Whole province (every agency)"),
    "agency": ("Cơ quan", "Agency"),
    "period": ("Kỳ báo cáo", "Period"),
    "period_value": ("từ {first} đến {last} (giờ Huế, UTC+7)",
                     "{first} to {last} (Huế time, UTC+7)"),
    "generated": ("Lập lúc", "Generated"),
    "s_summary": ("1. Tổng hợp", "1. Summary"),
    "s_sites": ("2. Địa điểm và màn hình", "2. Sites and screens"),
    "s_agencies": ("3. Kết quả theo cơ quan", "3. Results by agency"),
    "s_charts": ("4. Biểu đồ", "4. Charts"),
    "s_emergencies": ("5. Tin khẩn cấp và tốc độ hiển thị",
                      "5. Emergencies and how fast they reached screens"),
    "s_availability": ("6. Thời gian hoạt động của màn hình", "6. Screen availability"),
    "s_findings": ("7. Kiểm tra chuỗi nhật ký phát", "7. Play-journal chain findings"),
    "plays": ("Lượt phát", "Plays"),
    "airtime_h": ("Thời lượng phát (giờ)", "Airtime (hours)"),
    "share": ("Tỷ lệ thời lượng (%)", "Share of airtime (%)"),
    "qr_scans": ("Lượt quét mã QR", "QR scans"),
    "hours_in": ("{language} (giờ)", "{language} (hours)"),
    "site": ("Địa điểm", "Site"),
    "screen": ("Màn hình", "Screen"),
    "languages": ("Ngôn ngữ", "Languages"),
    "availability": ("Tỷ lệ hoạt động (%)", "Availability (%)"),
    "availability_note": (
        "Tỷ lệ hoạt động = số giây màn hình kết nối với máy chủ ÷ số giây của kỳ báo cáo "
        "(tính cả 24 giờ mỗi ngày, đến thời điểm lập báo cáo).",
        "Availability = seconds the screen was connected ÷ seconds of the period (all 24 "
        "hours of every day, up to the moment the report was made)."),
    "emergency": ("Tin khẩn cấp", "Emergency"),
    "sent_at": ("Phát lúc", "Sent"),
    "reached": ("Màn hình đã hiển thị / được gửi", "Screens reached / targeted"),
    "first_screen": ("Màn hình đầu tiên sau (giây)", "First screen after (s)"),
    "last_screen": ("Màn hình cuối cùng sau (giây)", "Last screen after (s)"),
    "no_emergencies": ("Không có tin khẩn cấp trong kỳ.", "No emergency in the period."),
    "findings_count": ("Số phát hiện: {n}", "Findings: {n}"),
    "no_findings": ("Chuỗi nhật ký phát đầy đủ, không có phát hiện nào.",
                    "Every journal chain is whole: no findings."),
    "finding_kind": ("Loại", "Kind"),
    "finding_detail": ("Chi tiết", "Detail"),
    "time": ("Thời điểm", "Time"),
    "total": ("Tổng cộng", "Total"),
    "no_agency": ("(không thuộc cơ quan nào)", "(no agency)"),
    "summary_line": (
        "{plays} lượt phát, {hours} giờ phát sóng, {scans} lượt quét mã QR trên {screens} "
        "màn hình tại {sites} địa điểm; tỷ lệ hoạt động chung {uptime}.",
        "{plays} plays, {hours} hours on air, {scans} QR scans on {screens} screens at "
        "{sites} sites; overall availability {uptime}."),
    "none": ("—", "—"),
    "gap": ("thiếu bản ghi", "missing records"),
    "break": ("đứt chuỗi", "broken chain"),
    "conflict": ("xung đột", "conflict"),
    "new_journal": ("nhật ký mới", "new journal"),
    "declared_loss": ("mất dữ liệu đã khai báo", "declared loss"),
    "refused": ("bản ghi bị từ chối", "refused record"),
    "lang_vi": ("Tiếng Việt", "Vietnamese"),
    "lang_en": ("Tiếng Anh", "English"),
    "lang_lo": ("Tiếng Lào", "Lao"),
}


def word(key: str, lang: str, **values: object) -> str:
    text = WORDS[key][0 if lang == "vi" else 1]
    return text.format(**values) if values else text


def number(value: float, lang: str, decimals: int = 0) -> str:
    """1234.5 → '1.234,5' in Vietnamese, '1,234.5' in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def percent(ratio: float | None, lang: str) -> str:
    return "—" if ratio is None else number(100 * ratio, lang, 1) + " %"
