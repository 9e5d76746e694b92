"""JSON errors for the HTTP API and the media route: ``{"error", "message"}`` with the
codes of docs/protocol.md, section 2."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

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


class ApiError(Exception):
    def __init__(self, status: int, message: str, error: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error or ERROR_CODES.get(status, "error")
        self.headers = headers or {}


def error_response(status: int, message: str, error: str | None = None) -> Response:
    response = jsonify({"error": error or ERROR_CODES.get(status, "error"), "message": message})
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
            404: f"No such route: {request.method} {request.path}.",
            405: f"{request.method} is not allowed on {request.path}.",
            413: "The request body is too large.",
        }
        message = messages.get(status) or exc.description or exc.name
        response = error_response(status, message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal error; it has been logged.")
