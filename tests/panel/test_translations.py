"""Every string of the panel has its Vietnamese, and the compiled catalogues match the
.po files (``python -m controller.panel.catalogs check``)."""

from __future__ import annotations

from controller.panel import catalogs


def test_every_panel_string_is_translated_and_compiled():
    problems = catalogs.problems()
    assert not problems, "\n".join(problems)


def test_the_check_notices_a_missing_translation(tmp_path, monkeypatch):
    area = tmp_path / "demo"
    (area / "templates" / "panel").mkdir(parents=True)
    (area / "translations" / "vi" / "LC_MESSAGES").mkdir(parents=True)
    (area / "templates" / "panel" / "demo.html").write_text(
        '<p>{{ _("A sentence nobody translated") }}</p>', encoding="utf-8")
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    catalogs.update()
    found = catalogs.problems()
    assert any("no Vietnamese for 'A sentence nobody translated'" in p for p in found), found
    catalogs.fill("demo", {"A sentence nobody translated": "Một câu chưa ai dịch"})
    assert any("missing: run make translations" in p for p in catalogs.problems())
    catalogs.compile_all()
    assert catalogs.problems() == []
