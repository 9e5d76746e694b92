"""What changed between two versions of a playlist's items: what an approver reviews.

:func:`diff_items` is a pure function of two item lists (the stored format: ``{id,
type, duration, variants: {lang: {title, body, media, url}}}``); items are matched by
id. Positions are 1-based, as a person counts."""

from __future__ import annotations

from typing import Any

VARIANT_FIELDS = ("title", "body", "media", "url")


def _lcs_ids(old: list[str], new: list[str]) -> set[str]:
    """The ids of a longest common subsequence of ``old`` and ``new`` (ids unique)."""
    n, m = len(old), len(new)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if old[i] == new[j]
                           else max(table[i + 1][j], table[i][j + 1]))
    keep: set[str] = set()
    i = j = 0
    while i < n and j < m:
        if old[i] == new[j]:
            keep.add(old[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return keep


def item_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Field by field: ``{"field", "old", "new"}`` for type, duration and a text item's
    photo (``{"media", "placement"}`` or None),
    ``{"language", "field", "old", "new"}`` per variant field, and ``{"language",
    "field": "variant", "old"/"new": None}`` for a language added or removed."""
    out: list[dict[str, Any]] = []
    for key in ("type", "duration", "photo"):
        if old.get(key) != new.get(key):
            out.append({"field": key, "old": old.get(key), "new": new.get(key)})
    old_v: dict[str, Any] = old.get("variants") or {}
    new_v: dict[str, Any] = new.get("variants") or {}
    for lang in list(old_v) + [lang for lang in new_v if lang not in old_v]:
        if lang not in new_v:
            out.append({"language": lang, "field": "variant", "old": old_v[lang],
                        "new": None})
            continue
        if lang not in old_v:
            out.append({"language": lang, "field": "variant", "old": None,
                        "new": new_v[lang]})
            continue
        for key in VARIANT_FIELDS:
            before, after = (old_v[lang] or {}).get(key), (new_v[lang] or {}).get(key)
            if before != after:
                out.append({"language": lang, "field": key, "old": before, "new": after})
    return out


def diff_items(old: list[dict[str, Any]] | None,
               new: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"added", "removed", "moved", "changed", "unchanged"}``:

    - added: ``{"id", "position", "item"}`` (position in ``new``);
    - removed: ``{"id", "position", "item"}`` (position in ``old``);
    - moved: ``{"id", "from", "to"}`` for items kept whose order relative to the
      others changed (the fewest such items);
    - changed: ``{"id", "position", "changes": item_changes(...)}``;
    - unchanged: how many kept items are identical.
    ``old`` None (nothing on air): every item is added."""
    old = list(old or [])
    old_pos = {item["id"]: i for i, item in enumerate(old)}
    new_pos = {item["id"]: i for i, item in enumerate(new)}
    kept_old = [item["id"] for item in old if item["id"] in new_pos]
    kept_new = [item["id"] for item in new if item["id"] in old_pos]
    in_order = _lcs_ids(kept_old, kept_new)
    added = [{"id": item["id"], "position": i + 1, "item": item}
             for i, item in enumerate(new) if item["id"] not in old_pos]
    removed = [{"id": item["id"], "position": i + 1, "item": item}
               for i, item in enumerate(old) if item["id"] not in new_pos]
    moved = [{"id": item_id, "from": old_pos[item_id] + 1, "to": new_pos[item_id] + 1}
             for item_id in kept_new if item_id not in in_order]
    changed = []
    unchanged = 0
    for item_id in kept_new:
        changes = item_changes(old[old_pos[item_id]], new[new_pos[item_id]])
        if changes:
            changed.append({"id": item_id, "position": new_pos[item_id] + 1,
                            "changes": changes})
        else:
            unchanged += 1
    return {"added": added, "removed": removed, "moved": moved, "changed": changed,
            "unchanged": unchanged}
