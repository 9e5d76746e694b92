"""Screen credentials with the real player: a revoked one stops working everywhere."""

from __future__ import annotations

from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller, Player, get_json, wait_for

SCREEN = "lang-co-bay-pano"


def test_revoked_credential_is_refused_on_socket_and_http(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    old = screen_token(data, SCREEN)
    controller = Controller(data, env={"PANO_HEARTBEAT_INTERVAL": "1"}).start()
    player = Player(controller.url, SCREEN, old, tmp_path / "cache",
                    extra=["--backoff-cap", "1"])
    try:
        player.start()
        # Playing first (its files fetched): "keeps playing" below is then a real check.
        status = wait_for(lambda: (s := player.status()[1])["connected"]
                          and s["timeline_version"] and s["now_playing"] and s,
                          what="player connected and playing")
        code, _ = get_json(f"{controller.url}/api/v1/player/timeline", old)
        assert code == 200

        new = screen_token(data, SCREEN)  # an operator issues a new one: the old is revoked
        assert new != old
        code, body = get_json(f"{controller.url}/api/v1/player/timeline", old)
        assert code == 401 and body["message"]
        assert get_json(f"{controller.url}/api/v1/player/timeline", new)[0] == 200

        # The running player is cut off and refused on every reconnect, and it says why;
        # meanwhile it keeps playing what it has.
        refused = wait_for(lambda: (s := player.status()[1]) and not s["connected"]
                           and s["last_error"] and s, timeout=15,
                           what="player refused after revocation")
        assert "credential" in refused["last_error"].lower() or \
            "token" in refused["last_error"].lower()
        assert refused["now_playing"] is not None
        assert refused["timeline_version"] == status["timeline_version"]
        log = controller.output()
        assert SCREEN in log and ("refused" in log.lower() or "revoked" in log.lower())
    finally:
        player.stop()
        controller.stop()


def test_wrong_credential_never_gets_a_timeline(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    screen_token(data, SCREEN)
    controller = Controller(data).start()
    player = Player(controller.url, SCREEN, "pst_not-the-right-one", tmp_path / "cache",
                    extra=["--backoff-cap", "1"])
    try:
        player.start()
        status = wait_for(lambda: (s := player.status()[1])["last_error"] and s, timeout=15,
                          what="refusal reported by the player")
        assert status["connected"] is False
        assert status["timeline_version"] in (None, 0)
        assert status["now_playing"] is None
        assert not (tmp_path / "cache" / "media").exists() or \
            not any((tmp_path / "cache" / "media").iterdir())
    finally:
        player.stop()
        controller.stop()
