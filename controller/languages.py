"""The languages content may be written in (``languages`` in ``config/controller.yaml``)
and the ones every playlist item and every screen must have (``required_languages``).

Pure: reading a YAML value (a ``LineList`` from ``load_yaml`` keeps line numbers) into a
:class:`LanguageConfig`, and the refusal for an unknown code. The import modules ask
``config.check_code`` so that a code not listed here is refused wherever it appears
(a screen's profile, a playlist variant), naming the codes that are known. That
refusal reaches people (``controller.refusals``, said in their language); a bad setting
(``LanguageError``) stops the controller at start and stays English, for the
administrator's log."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from controller.content.yamlfile import line_of
from controller.refusals import Refusal, refusal

CODE_RE = re.compile(r"^[a-z]{2,3}$")
CODE_HINT = "an ISO 639 code: 2-3 lowercase letters such as vi, en, lo"
NAME_MAX = 100


class LanguageError(ValueError):
    """A bad ``languages``/``required_languages`` setting; the message says where."""


@dataclass(frozen=True)
class Language:
    code: str
    name_vi: str
    name_en: str


DEFAULT_LANGUAGES: tuple[Language, ...] = (
    Language("vi", "Tiếng Việt", "Vietnamese"),
    Language("en", "Tiếng Anh", "English"),
    Language("fr", "Tiếng Pháp", "French"),
    Language("lo", "Tiếng Lào", "Lao"),
)
DEFAULT_REQUIRED: tuple[str, ...] = ("vi", "en")


@dataclass(frozen=True)
class LanguageConfig:
    languages: tuple[Language, ...] = DEFAULT_LANGUAGES
    required: tuple[str, ...] = DEFAULT_REQUIRED

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def known_list(self) -> str:
        return ", ".join(self.codes)

    def unknown(self, code: str) -> Refusal | None:
        """None if ``code`` is configured, else the reason to refuse it."""
        if code in self.codes:
            return None
        return refusal("unknown language %(code)r (known: %(known)s; add it to 'languages' "
                       "in config/controller.yaml)", code=code, known=self.known_list())

    def name(self, code: str) -> Language | None:
        return next((lang for lang in self.languages if lang.code == code), None)


def _where(source: str, container: Any, key: Any = None) -> str:
    line = line_of(container, key)
    return f"{source}, line {line}" if line else source


def _name(source: str, entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > NAME_MAX:
        raise LanguageError(f"{_where(source, entry, key if key in entry else None)}: "
                            f"languages: {key!r} must be text of 1..{NAME_MAX} characters")
    return unicodedata.normalize("NFC", value.strip())


def parse_languages(value: Any, source: str) -> tuple[Language, ...]:
    """``[{code, name_vi, name_en}, …]`` (a ``Language`` passes through as it is)."""
    if not isinstance(value, list | tuple) or not value:
        raise LanguageError(f"{_where(source, value)}: languages must be a non-empty list of "
                            "{code, name_vi, name_en}")
    out: list[Language] = []
    for index, entry in enumerate(value):
        if isinstance(entry, Language):
            lang = entry
        else:
            if not isinstance(entry, dict):
                raise LanguageError(f"{_where(source, value, index)}: languages entries must "
                                    "be mappings {code, name_vi, name_en}")
            extra = sorted(set(entry) - {"code", "name_vi", "name_en"})
            if extra:
                raise LanguageError(f"{_where(source, entry, extra[0])}: languages: unknown "
                                    f"key {extra[0]!r} (allowed: code, name_en, name_vi)")
            code = entry.get("code")
            if not isinstance(code, str) or not CODE_RE.fullmatch(code):
                raise LanguageError(f"{_where(source, entry, 'code' if 'code' in entry else None)}"
                                    f": languages: code {code!r} is not {CODE_HINT}")
            lang = Language(code, _name(source, entry, "name_vi"), _name(source, entry, "name_en"))
        if lang.code in (seen.code for seen in out):
            raise LanguageError(f"{_where(source, value, index)}: languages lists "
                                f"{lang.code!r} twice")
        out.append(lang)
    return tuple(out)


def parse_required(value: Any, source: str) -> tuple[str, ...]:
    """A list of codes (``[vi, en]``) or a comma-separated text (``vi,en``)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple) or not value:
        raise LanguageError(f"{_where(source, value)}: required_languages must be a "
                            "non-empty list of language codes such as [vi, en]")
    out: list[str] = []
    for index, code in enumerate(value):
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise LanguageError(f"{_where(source, value, index)}: required_languages: "
                                f"{code!r} is not {CODE_HINT}")
        if code in out:
            raise LanguageError(f"{_where(source, value, index)}: required_languages lists "
                                f"{code!r} twice")
        out.append(code)
    return tuple(out)


def check_config(languages: Iterable[Language], required: Iterable[str]) -> LanguageConfig:
    """Every required language must be a configured one."""
    config = LanguageConfig(tuple(languages), tuple(required))
    for code in config.required:
        if code not in config.codes:
            raise LanguageError(f"required_languages names {code!r}, which is not in "
                                f"languages (known: {config.known_list()})")
    return config
