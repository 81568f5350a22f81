"""One error tree, mapped to one JSON error shape.

``{"error": {"code": "snake_case", "message": "...", "details": [...], "request_id": "..."}}``
"""

from __future__ import annotations

from typing import Any


class CRMError(Exception):
    """Base of every error the API answers with on purpose."""

    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or []
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequestError(CRMError):
    status = 400
    code = "bad_request"


class InvalidCursorError(CRMError):
    status = 400
    code = "invalid_cursor"
    message = "The cursor is not valid for this list."


class MalformedBodyError(CRMError):
    status = 400
    code = "malformed_body"
    message = "The request body is not valid JSON."


class UnauthenticatedError(CRMError):
    status = 401
    code = "unauthenticated"
    message = "Authentication is required."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="crm"'})
        super().__init__(message, **kwargs)


class PaymentRequiredError(CRMError):
    status = 402
    code = "plan_limit"
    message = "Your plan does not allow this."


class PlanLimitError(PaymentRequiredError):
    """A create beyond a limit of the plan (details: the limit, the usage, the cheapest plan allowing it)."""

    code = "plan_limit_reached"
    message = "Your plan's limit is reached; upgrade to add more."


class FeatureNotInPlanError(PaymentRequiredError):
    """A feature the plan does not include (details: the feature, the cheapest plan with it)."""

    code = "feature_not_in_plan"
    message = "Your plan does not include this feature; upgrade to use it."


class SubscriptionInactiveError(PaymentRequiredError):
    """A write while the subscription is suspended: reads, exports and billing still work."""

    code = "subscription_inactive"
    message = "The subscription is suspended: the account is read-only until the payment is settled."


class ForbiddenError(CRMError):
    status = 403
    code = "forbidden"
    message = "You do not have permission to do this."


class NotFoundError(CRMError):
    status = 404
    code = "not_found"
    message = "Not found."


class RouteNotFoundError(CRMError):
    status = 404
    code = "route_not_found"
    message = "No such route."


class MethodNotAllowedError(CRMError):
    status = 405
    code = "method_not_allowed"
    message = "This method is not allowed on this route."


class ConflictError(CRMError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class VersionConflictError(ConflictError):
    code = "version_conflict"
    message = "The record was changed by someone else; reload it and try again."


class PayloadTooLargeError(CRMError):
    status = 413
    code = "payload_too_large"
    message = "The request body is too large."


class UnsupportedMediaTypeError(CRMError):
    status = 415
    code = "unsupported_media_type"
    message = "This content type is not accepted here."


class ValidationError(CRMError):
    status = 422
    code = "validation_error"
    message = "Some fields are not valid."


class RateLimitedError(CRMError):
    status = 429
    code = "rate_limited"
    message = "Too many requests; slow down."

    def __init__(self, message: str | None = None, *, retry_after: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(message, **kwargs)


class ServiceUnavailableError(CRMError):
    status = 503
    code = "service_unavailable"
    message = "A service we depend on is busy or unavailable; retry shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(message, **kwargs)


class InternalError(CRMError):
    status = 500
    code = "internal_error"
    message = "An internal error occurred; it has been logged."


def error_body(
    code: str, message: str, *, details: list[Any] | None = None, request_id: str | None = None
) -> dict[str, Any]:
    """The JSON error shape every non-2xx answer uses."""
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or [],
            "request_id": request_id,
        }
    }


def to_body(error: CRMError, request_id: str | None) -> dict[str, Any]:
    """The error shape for a CRMError."""
    return error_body(error.code, error.message, details=error.details, request_id=request_id)
