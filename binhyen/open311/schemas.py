"""Open311 inputs parsed into declared schemas before anything else sees them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from binhyen.open311 import catalog
from binhyen.open311.services import NewRequest, Open311Error, RequestFilters

_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,64})\](\[\])?$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")
IDENTITY_FIELDS = ("first_name", "last_name", "email", "phone")
DEVICE_FIELDS = ("device_id", "account_id")
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000  # beyond it the database's OFFSET overflows (found by schemathesis)
# Attributes that become fields of the tip rather than lines of text.
_AS_FIELDS = {"anonymous", "keep_identity_secret", "commune_code", "occurred_at", "happening_now"}


class RequestIn(BaseModel):
    """POST requests (application/x-www-form-urlencoded or multipart)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    api_key: str = Field(min_length=1, max_length=200)
    service_code: str = Field(min_length=1, max_length=64)
    jurisdiction_id: str = Field("", max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    long: float | None = Field(None, ge=-180, le=180)
    address_string: str = Field("", max_length=300)
    address_id: str = Field("", max_length=32)
    email: str = Field("", max_length=200)
    device_id: str = Field("", max_length=200)
    account_id: str = Field("", max_length=200)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    description: str = Field("", max_length=4000)
    media_url: str = Field("", max_length=2000)
    attributes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and ("@" not in v or " " in v):
            raise ValueError("not an e-mail address")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v and not _PHONE.match(v):
            raise ValueError("not a phone number")
        return v

    @field_validator("media_url")
    @classmethod
    def _media(cls, v: str) -> str:
        if v and not v.lower().startswith("https://"):
            raise ValueError("must be an https:// URL")
        return v

    @model_validator(mode="after")
    def _location(self) -> RequestIn:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long go together")
        if self.lat is None and not self.address_string and not self.address_id:
            raise ValueError("a location is required: lat & long, address_string or address_id")
        return self


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "request"
    return f"{where}: {err.get('msg', 'invalid')}".replace("Value error, ", "")


def _form_values(data: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {}
    attributes: dict[str, list[str]] = {}
    for key in data:
        m = _ATTRIBUTE.match(key)
        if m is not None:
            attributes[m.group(1)] = [v for v in data.getlist(key) if v != ""]
        elif key in RequestIn.model_fields and key != "attributes":
            values[key] = data.get(key, "")
    values["attributes"] = attributes
    for k in ("lat", "long"):
        if values.get(k) == "":
            values[k] = None
    return values


def _parse_dt(value: str, what: str) -> datetime:
    dt = parse_datetime(value.strip().replace(" ", "+", 1) if "T" in value else value.strip())
    if dt is None:
        raise Open311Error(400, f"{what}: not an ISO 8601 date and time")
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    offset = dt.utcoffset()
    if offset is None or abs(offset) > timedelta(hours=14) or not 1900 <= dt.year <= 2200:
        # PostgreSQL refuses offsets beyond ±15:59 (found by schemathesis: a 500).
        raise Open311Error(400, f"{what}: out of range")
    return dt.astimezone(UTC)


def _attributes(
    service: catalog.Service, given: dict[str, list[str]]
) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Validate typed attributes: raw values by code, and readable lines for officers."""
    known = {a.code: a for a in service.attributes}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise Open311Error(400, f"attribute[{unknown[0]}] is not an attribute of this service")
    raw: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    for attr in sorted(service.attributes, key=lambda a: a.order):
        values = given.get(attr.code, [])
        if not values:
            if attr.required:
                raise Open311Error(400, f"attribute[{attr.code}] is required")
            continue
        if attr.datatype != "multivaluelist" and len(values) > 1:
            raise Open311Error(400, f"attribute[{attr.code}] takes one value")
        value = values[0]
        if attr.datatype == "datetime":
            _parse_dt(value, f"attribute[{attr.code}]")
            shown = value
        elif attr.datatype == "number":
            try:
                number = int(value)
            except ValueError:
                raise Open311Error(400, f"attribute[{attr.code}] must be a number") from None
            if not 0 <= number <= 1000:
                raise Open311Error(400, f"attribute[{attr.code}] is out of range")
            shown = str(number)
        elif attr.datatype in {"singlevaluelist", "multivaluelist"}:
            keys = {k for k, _name in attr.values}
            bad = [v for v in values if v not in keys]
            if bad:
                raise Open311Error(400, f"attribute[{attr.code}]: {bad[0]!r} is not a listed key")
            shown = ", ".join(attr.label_of(v) for v in values)
        else:
            if len(value) > 500:
                raise Open311Error(400, f"attribute[{attr.code}] is too long")
            shown = value
        raw[attr.code] = ",".join(values)
        if attr.code not in _AS_FIELDS:
            lines.append((attr.description, shown))
    return raw, tuple(lines)


def parse_request(data: QueryDict) -> tuple[str, NewRequest]:
    """(api_key, the request) or Open311Error(400/404)."""
    try:
        parsed = RequestIn.model_validate(_form_values(data))
    except ValidationError as exc:
        raise Open311Error(400, _first_error(exc)) from None
    service = catalog.service(parsed.service_code)
    if service is None:
        raise Open311Error(404, f"service_code {parsed.service_code!r} not found")
    raw, lines = _attributes(service, parsed.attributes)
    anonymous = raw.get("anonymous") == "true"
    identity = {
        "first_name": parsed.first_name,
        "last_name": parsed.last_name,
        "email": parsed.email,
        "phone": parsed.phone,
    }
    if anonymous and any(identity.values()):
        raise Open311Error(
            400,
            "attribute[anonymous]=true: do not send first_name, last_name, email or phone",
        )
    if anonymous:
        identity = {}  # device_id and account_id are dropped, never stored
    else:
        identity.update(device_id=parsed.device_id, account_id=parsed.account_id)
        identity = {k: v for k, v in identity.items() if v}
    description = parsed.description
    if not description:
        raise Open311Error(400, "description is required")
    commune = raw.get("commune_code", "") or parsed.address_id
    occurred = (
        _parse_dt(raw["occurred_at"], "attribute[occurred_at]") if raw.get("occurred_at") else None
    )
    return parsed.api_key, NewRequest(
        service=service,
        description=description,
        latitude=parsed.lat,
        longitude=parsed.long,
        address=parsed.address_string,
        commune_code=commune,
        anonymous=anonymous,
        secrecy=raw.get("keep_identity_secret") == "true",
        occurred_at=occurred,
        when={"true": "now", "false": "earlier"}.get(raw.get("happening_now", ""), ""),
        details=lines,
        identity=identity,
        media_url=parsed.media_url,
    )


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parse_filters(data: QueryDict) -> RequestFilters:
    statuses = _split(data.get("status", "").lower())
    if any(s not in {"open", "closed"} for s in statuses):
        raise Open311Error(400, "status must be open or closed")
    try:
        page = int(data.get("page", "1") or 1)
        page_size = int(data.get("page_size", "100") or 100)
    except ValueError:
        raise Open311Error(400, "page and page_size must be numbers") from None
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise Open311Error(
            400,
            f"page must be between 1 and {MAX_PAGE}, page_size between 1 and {MAX_PAGE_SIZE}",
        )
    start_raw, end_raw = str(data.get("start_date", "")), str(data.get("end_date", ""))
    start = _parse_dt(start_raw, "start_date") if start_raw else None
    end = _parse_dt(end_raw, "end_date") if end_raw else None
    if start and end and start > end:
        raise Open311Error(400, "start_date is after end_date")
    return RequestFilters(
        ids=_split(data.get("service_request_id", "")),
        service_codes=_split(data.get("service_code", "")),
        start=start,
        end=end,
        statuses=statuses,
        page=page,
        page_size=page_size,
    )
