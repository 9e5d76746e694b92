"""Running the controller: ``serve(settings)`` for ``pano-controller serve``, and
``ControllerServer`` (start/stop in the background) which ``serve`` and the tests share.

Async mode. In gevent mode ``serve`` monkey-patches the process *first*, before it
imports Flask, SQLAlchemy or anything of the controller; this module imports nothing
heavy at the top for that reason, and the CLI must import it lazily (inside the
``serve`` command) and import nothing heavy itself before that. The web server is
werkzeug's threaded server in threading mode and gevent's ``pywsgi`` in gevent mode;
WebSocket support comes from simple-websocket in both.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from apscheduler.schedulers.background import BackgroundScheduler
    from flask import Flask
    from flask_socketio import SocketIO

    from controller.leadership.elector import Elector
    from controller.settings import Settings
    from controller.timeline.watcher import ChangeWatcher

log = logging.getLogger("pano.server")


def patch_for_gevent() -> None:
    """Monkey-patch the standard library for gevent (idempotent). Must run before
    anything that creates threads, locks or sockets is imported."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()


class ControllerServer:
    """The whole controller in one object: database upgrade, app, its place in the
    leader election (``controller.leadership``) with the leader-only work it runs when
    elected, the job worker and the web server. ``start()`` returns once the server
    listens (``port`` is the real one when settings.port is 0), after the first rebuild
    when this process was elected at once; ``stop()`` undoes it. ``scheduler``: when
    leading, run APScheduler's roll-over and the alerts too (``serve`` and gunicorn do;
    in-process tests mostly do not)."""

    def __init__(self, settings: Settings, scheduler: bool = False) -> None:
        self.settings = settings
        self.with_scheduler = scheduler
        self.app: Flask | None = None
        self.socketio: SocketIO | None = None
        self.elector: Elector | None = None  # None: this process never leads
        self._elector_task: Any = None
        self._recorder_task: Any = None
        self.revocations: Any = None  # controller/players/revocation.py: RevocationWatch
        self.liveness: Any = None  # controller/players/process_liveness.py: ProcessBeat
        self._revocation_task: Any = None
        self._liveness_task: Any = None
        self.jobs_worker: Any = None  # controller/jobs/: the embedded or thread worker
        self._jobs_task: Any = None
        # The leader-only work of the current term (None while following):
        self.watcher: ChangeWatcher | None = None
        self.scheduler: BackgroundScheduler | None = None
        self.alerts: Any = None  # controller/alerts/engine.py, with the scheduler
        self.sources: Any = None  # controller/sources/polling.py, with the scheduler
        self.presence: Any = None  # controller/plays/presence_log.py: PresenceSweeper
        self.panel_feed: Any = None
        self._leader_tasks: list[Any] = []  # of every term, joined at stop()
        self._first_check = threading.Event()
        self.port: int = settings.port
        self._http: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.settings.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    @property
    def leading(self) -> bool:
        """Whether this process is the elected leader now (``/healthz`` says it too)."""
        return self.elector is not None and self.elector.leading

    def start(self, background: bool = True) -> ControllerServer:
        self.prepare(background)
        assert self.app is not None
        self._listen(self.app)
        return self

    def prepare(self, background: bool = True) -> Flask:
        """Everything but listening: database upgrade, app and, with ``background``, the
        job worker and this process's place in the leader election (without it, the
        process never leads: ``scheduler: false``). gunicorn (``controller.wsgi``) calls
        this and serves the app itself."""
        from datetime import UTC, datetime

        from controller.app import create_app
        from controller.auth import passwords
        from controller.db import upgrade
        from controller.housekeeping.sweep import sweep_at_start
        from controller.leadership.elector import Elector
        from controller.leadership.leases import lease_for
        from controller.players.process_liveness import start_beat
        from controller.players.revocation import RevocationWatch
        from controller.players.status import clear_connections
        from controller.plays.presence_log import close_left_open, silence_timeout

        upgrade(self.settings.db_url)
        if passwords.INSECURE_FAST:
            log.warning(passwords.INSECURE_FAST_WARNING)
        app, socketio = create_app(self.settings)
        self.app, self.socketio = app, socketio
        app.extensions["pano_leadership"] = self  # /healthz: {"leader": self.leading}
        pano = app.extensions["pano"]
        sweep_at_start(self.settings, pano.session_factory)  # what crashes left behind
        with pano.session_factory() as session:
            alone = not self.settings.message_queue
            if alone:
                clear_connections(session)  # alone: nobody can be connected yet
            # Online intervals a crash left open end at their screen's last heartbeat.
            closed = close_left_open(session, alone, datetime.now(UTC),
                                     silence_timeout(self.settings.heartbeat_interval))
            if closed:
                log.info("%d online interval(s) left open by a stop or crash closed", closed)
        # Every serving process writes its own players' acks and heartbeats in batches.
        self._recorder_task = socketio.start_background_task(pano.recorder.run)
        # Every serving process cuts off its own connections whose credential was revoked.
        self.revocations = RevocationWatch(pano.namespace, pano.session_factory,
                                           self.settings.change_poll_interval)
        self._revocation_task = socketio.start_background_task(self.revocations.run)
        # Every serving process says it lives; the leader's beats sweep the dead ones'.
        self.liveness, self._liveness_task = start_beat(pano, socketio, lambda: self.leading)
        if not background:
            log.info("change watcher disabled here (scheduler: false): this process never "
                     "leads; the elected one rebuilds timelines and pushes them through "
                     "the message queue")
            return app
        self.elector = Elector(lease_for(self.settings), self.settings.leader_ttl,
                               self._lead, self._follow, socketio.sleep)
        self.elector.step()  # the first try at once: a process alone leads before it serves
        self._elector_task = socketio.start_background_task(self.elector.run)
        if self.elector.leading:
            # Its first rebuild before serving, as a start always did (drawn here: the
            # job worker starts after it).
            self._first_check.wait(120)
        else:
            log.info("following: another process leads (%s lease); trying every %.1f s",
                     self.elector.lease.kind, self.elector.retry)
            if alone:
                log.warning("not the leader and no message_queue: the leader's pushes cannot "
                            "reach this process's players (docs/operations.md, 'Scaling out')")
        self._start_jobs_worker(pano)
        return app

    # -- the leader-only work: started when elected, stopped when the lease is lost --------
    def _lead(self) -> None:
        """Called by the elector on election; starts tasks and returns at once."""
        from controller.leadership.fencing import FencedPublisher
        from controller.plays.presence_log import PresenceSweeper
        from controller.timeline.watcher import ChangeWatcher

        assert self.app is not None and self.socketio is not None and self.elector is not None
        pano, socketio = self.app.extensions["pano"], self.socketio
        # Rebuilds only while the lease is certainly held (controller/leadership/fencing.py).
        publisher = FencedPublisher(pano.publisher, self.elector.holds)
        # issue 14 (H1): with settings the watcher listens for other processes' changes
        # (PostgreSQL NOTIFY, local datagram, Redis; controller/changes_notify/). A new one
        # each term, last_seen None: its first check rebuilds every screen.
        self.watcher = ChangeWatcher(publisher, pano.session_factory,
                                     self.settings.change_poll_interval,
                                     on_credentials=pano.namespace.drop_revoked,
                                     settings=self.settings)
        self._leader_tasks.append(socketio.start_background_task(self._term, self.watcher))
        # One per deployment, like the watcher: closes the intervals of silent screens.
        self.presence = PresenceSweeper(pano.session_factory,
                                        self.settings.heartbeat_interval, socketio.sleep)
        self._leader_tasks.append(socketio.start_background_task(self.presence.run))
        from controller.panel.live import PanelFeed

        # Live panel pages (fleet status, emergency receipts): one feed per deployment.
        self.panel_feed = PanelFeed(self.app, socketio)
        self._leader_tasks.append(socketio.start_background_task(self.panel_feed.run))
        if self.with_scheduler:
            from controller.alerts.engine import add_alert_jobs
            from controller.sources.polling import add_source_jobs
            from controller.timeline.scheduler import start_scheduler

            self.scheduler = start_scheduler(publisher, pano.session_factory)
            self.alerts = add_alert_jobs(self.scheduler, self.settings,
                                         pano.session_factory)  # docs/alerts.md
            self.sources = add_source_jobs(  # docs/sources.md; data slides drawn ahead
                self.scheduler, self.settings, pano.session_factory,
                renderer=lambda: pano.publisher.renderer)
            from controller.dataslides.staleness import add_staleness_job

            # Data turning stale (or current again) rebuilds the screens showing it.
            add_staleness_job(self.scheduler, pano.session_factory)

    def _term(self, watcher: ChangeWatcher) -> None:
        """A term's watcher: first what a dead leader may have stored without pushing,
        then every screen rebuilt, then watching until the term ends."""
        from controller.leadership.fencing import push_unacknowledged

        assert self.app is not None and self.socketio is not None
        pano = self.app.extensions["pano"]
        try:
            with pano.session_factory() as session:
                push_unacknowledged(session, self.socketio.emit)
            changed = watcher.check()
            log.info("timelines checked on election: %d changed", len(changed))
        except Exception:  # the watcher's loop tries again
            log.exception("the first rebuild of this term failed")
        finally:
            self._first_check.set()
        if self.watcher is watcher:  # the term may have ended meanwhile
            watcher.run()

    def _follow(self, why: str) -> None:
        """Called by the elector when the lease is lost or given back: stop the
        leader-only work at once (their tasks end by themselves; stop() joins them)."""
        del why  # the elector logged it
        for part in (self.watcher, self.presence, self.panel_feed):
            if part is not None:
                part.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.sources is not None:
            self.sources.stop()  # fetches under way finish, nothing new starts
        self.watcher = self.presence = self.panel_feed = None
        self.scheduler = self.alerts = self.sources = None

    def _start_jobs_worker(self, pano: Any) -> None:
        """The job worker of the deployment runs beside its change watcher: a watched
        subprocess (embedded), threads here (thread: tests) or none (external)."""
        mode = self.settings.jobs_worker
        if mode == "thread":
            from controller.jobs.worker import ThreadWorker

            self.jobs_worker = ThreadWorker(self.settings).start()
        elif mode == "embedded":
            from controller.jobs.supervisor import EmbeddedWorker

            assert self.socketio is not None
            self.jobs_worker = EmbeddedWorker(self.settings, pano.session_factory,
                                              self.socketio.sleep)
            self.jobs_worker.spawn()
            self._jobs_task = self.socketio.start_background_task(self.jobs_worker.watch)
        else:
            log.info("jobs are run by a separate `pano-controller worker` (jobs_worker: "
                     "external)")
        # From now on a rebuild's slides, badges and renditions are drawn by the worker.
        from controller.api.jobs import queue_of
        from controller.jobs.renders import Renderer

        assert self.app is not None and self.socketio is not None
        pano.publisher.renderer = Renderer(queue_of(self.app).request_files,
                                           pano.session_factory, self.socketio.sleep)

    def _listen(self, app: Flask) -> None:
        host, port = self.settings.host, self.settings.port
        if self.settings.async_mode == "gevent":
            from gevent import pywsgi

            from controller.edge.http_server import gevent_handler

            self._http = pywsgi.WSGIServer((host, port), app, log=None,
                                           handler_class=gevent_handler())
            self._http.start()
            self.port = self._http.address[1]
        else:
            from werkzeug.serving import make_server

            from controller.edge.http_server import werkzeug_handler

            self._http = make_server(host, port, app, threaded=True,
                                     request_handler=werkzeug_handler())
            self.port = self._http.server_port
            self._thread = threading.Thread(target=self._http.serve_forever,
                                            name="pano-http", daemon=True)
            self._thread.start()

    def begin_stop(self) -> None:
        """A stop is coming (a signal): from now on nothing stopped is started again."""
        if self.jobs_worker is not None:
            self.jobs_worker.begin_stop()

    def stop(self) -> None:
        """Stop serving, quickly: while a connected fleet waits to reconnect, every second
        here is a failed attempt more for each player, and a longer backoff. No new
        connection first; then the leader-only work, the job worker (in a task of its
        own: it finishes a job under way) and the players' goodbye
        (controller/players/farewell.py: one write for all, every socket told) side by
        side; the joins last. Every ack and heartbeat answered is written: the recorder
        stops (and writes what is pending) after the sockets are closed."""
        self.begin_stop()
        self._stop_listening()
        if self.elector is not None:
            self.elector.stop()  # stops the leader-only work too, and frees the lease
        for watch in (self.revocations, self.liveness):
            if watch is not None:
                watch.stop()
        worker_stop = None
        if self.jobs_worker is not None:
            worker_stop = self._stop_jobs_worker(self.jobs_worker)
            self.jobs_worker = None
        if self.socketio is not None:
            if self.app is not None:
                from controller.players.farewell import say_goodbye

                pano = self.app.extensions["pano"]
                say_goodbye(pano.namespace, pano.session_factory, self.socketio.server)
                if self.liveness is not None:
                    self.liveness.forget()
            self.socketio.server.shutdown()
        if self._http is not None and self.settings.async_mode == "gevent":
            self._http.stop(timeout=2)
        self._http = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if worker_stop is not None:
            worker_stop.join()  # as long as the job under way takes (STOP_GRACE at most)
        for task in [self._jobs_task, self._elector_task, *self._leader_tasks]:
            if task is not None:
                task.join(timeout=5)
        self._jobs_task, self._elector_task, self._leader_tasks = None, None, []
        if self.app is not None:
            pano = self.app.extensions["pano"]
            try:  # the acks and heartbeats still in memory (later ones are written at once)
                pano.recorder.stop()
            except Exception:
                log.exception("writing the last player acks and heartbeats")
            if self._recorder_task is not None:
                self._recorder_task.join(timeout=5)
                self._recorder_task = None
            for task in (self._revocation_task, self._liveness_task):
                if task is not None:
                    task.join(timeout=5)
            self._revocation_task = self._liveness_task = None
            pano.engine.dispose()

    def _stop_listening(self) -> None:
        """Close the listening socket: a player trying now is refused at once instead of
        being let in by a server that is going."""
        if self._http is None:
            return
        if self.settings.async_mode == "gevent":
            self._http.close()  # the handlers under way go on; stop() below ends them
        else:
            self._http.shutdown()
            self._http.server_close()

    def _stop_jobs_worker(self, worker: Any) -> Any:
        """Stop the job worker in a background task (joined by ``stop``)."""
        assert self.socketio is not None
        return self.socketio.start_background_task(worker.stop)


def serve(settings: Settings, on_listening: Callable[[], object] | None = None) -> None:
    """``pano-controller serve``: run until SIGTERM or SIGINT, then stop cleanly;
    ``on_listening`` is called once the controller answers (``run``'s player)."""
    if settings.async_mode == "gevent":
        patch_for_gevent()
    from controller.logging_config import configure_logging

    configure_logging()
    # scheduler: false keeps this process out of the election (it never leads).
    server = ControllerServer(settings, scheduler=True).start(background=settings.scheduler)
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        server.begin_stop()  # before the loop below wakes: the worker may end first
        stopping.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(f"Pano controller listening on {server.url}/ "
          f"(async mode {settings.async_mode})", flush=True)
    log.info("listening on %s", server.url)
    if on_listening is not None:
        on_listening()
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        server.stop()
        log.info("stopped")
        # The interpreter's teardown collects the whole heap before the process ends:
        # 2-3 s with 1000 players' connections, a fleet's timelines and the reverse index
        # (measured on the bench's 2-core machine), while the fleet waits to reconnect.
        # Frozen objects are left out of it; what is left to do at exit (atexit hooks,
        # joining the remaining threads) still runs.
        gc.disable()
        gc.freeze()
