"""What the clock corner needs to speak each language (docs/zones.md "Clock"): the
names of the weekdays and months and the date's pattern. The page (or any player) fills
the pattern from the time in the timeline's ``timezone``; the time itself is always
24-hour ``HH:MM``. Vietnamese dates are ``dd/mm/yyyy``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WEEKDAYS = {  # Monday first
    "vi": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "lo": ["ວັນຈັນ", "ວັນອັງຄານ", "ວັນພຸດ", "ວັນພະຫັດ", "ວັນສຸກ", "ວັນເສົາ", "ວັນອາທິດ"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}
MONTHS = {
    "vi": [f"tháng {n}" for n in range(1, 13)],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "lo": ["ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ",
           "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}
# {weekday} {d} (day, no zero) {dd} {month} {mm} {yyyy}
DATES = {
    "vi": "{weekday}, {dd}/{mm}/{yyyy}",
    "en": "{weekday} {d} {month} {yyyy}",
    "lo": "{weekday} {dd}/{mm}/{yyyy}",
    "fr": "{weekday} {d} {month} {yyyy}",
}


def clock_words(languages: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per language of the screen: ``{"date", "weekdays", "months"}`` (English's for a
    language without its own)."""
    return {lang: {"date": DATES.get(lang, DATES["en"]),
                   "weekdays": WEEKDAYS.get(lang, WEEKDAYS["en"]),
                   "months": MONTHS.get(lang, MONTHS["en"])}
            for lang in languages}


def date_text(lang: str, year: int, month: int, day: int, weekday: int) -> str:
    """The date as the clock says it in ``lang`` (``weekday``: 0 is Monday)."""
    words = clock_words([lang])[lang]
    return words["date"].format(weekday=words["weekdays"][weekday], d=day, dd=f"{day:02d}",
                                month=words["months"][month - 1], mm=f"{month:02d}",
                                yyyy=f"{year:04d}")
