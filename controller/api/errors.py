"""JSON errors for the HTTP API and the media route: ``{"error", "message"}`` with the
codes of docs/protocol.md, section 2.

``message`` is said in the caller's language (docs/api-admin.md, "Language of
answers"): Vietnamese when ``Accept-Language`` prefers ``vi`` (the panel sends its
chosen language on every call), English otherwise, and always English on the player
routes, which answer machines. A Vietnamese answer also carries ``message_en``, the
same sentence in English, for logs and English tooling. Sentences are
:class:`controller.refusals.Refusal` templates; a plain string is answered as it is."""

from __future__ import annotations

import logging

from flask import Flask, Response, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from controller.refusals import DEFAULT, LANGUAGES, refusal, say
from controller.review import ReviewError

log = logging.getLogger("pano.http")

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
}

JSON_PREFIXES = ("/api/", "/media/")
MACHINE_BLUEPRINTS = ("player_api",)  # screens: English whatever they send


class ApiError(Exception):
    def __init__(self, status: int, message: str, error: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error or ERROR_CODES.get(status, "error")
        self.headers = headers or {}


def answer_language() -> str:
    """``vi`` or ``en``: the caller's ``Accept-Language``, English without one (API
    scripts) and on the routes that answer screens."""
    if not has_request_context() or request.blueprint in MACHINE_BLUEPRINTS:
        return DEFAULT
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def in_callers_language(message: str) -> str:
    """A sentence for the caller in a successful answer (a draft's warnings)."""
    return say(message, answer_language())


def said_to_caller(message: str) -> dict[str, str]:
    """``message`` in the caller's language, and ``message_en`` beside it when that is
    not English: the fields of a refusal in an answer (an error, a failed job)."""
    language = answer_language()
    said = {"message": say(message, language)}
    if language != DEFAULT:
        said["message_en"] = say(message, DEFAULT)
    return said


def error_response(status: int, message: str, error: str | None = None) -> Response:
    body = {"error": error or ERROR_CODES.get(status, "error"), **said_to_caller(message)}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pano"'
    return response


def _wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.path.rstrip("/") in (
        "/api", "/media", "/healthz")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        response = error_response(exc.status, exc.message, exc.error)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(ReviewError)
    def _review_error(exc: ReviewError) -> Response:
        # A refused action writes nothing: drop whatever the request had flushed.
        from controller.state import db

        db().rollback()
        return error_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return exc
        status = exc.code or 500
        messages = {
            404: refusal("No such route: %(method)s %(path)s.", method=request.method,
                         path=request.path),
            405: refusal("%(method)s is not allowed on %(path)s.", method=request.method,
                         path=request.path),
            413: refusal("The request body is too large."),
        }
        message = messages.get(status) or exc.description or exc.name
        response = error_response(status, message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, refusal("Internal error; it has been logged."))
