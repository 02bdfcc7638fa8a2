# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pydantic models shared by APIs, and those of the demo app."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

T = TypeVar("T")


class Paging(BaseModel):
    limit: int | None = None
    offset: int | None = None


class PagedCollection(BaseModel, Generic[T]):
    """One page of a collection, with the size of the whole collection."""

    # "total" is what older clients send; "count" is the field's name.
    count: Annotated[int, Field(validation_alias=AliasChoices("count", "total"))]
    items: list[T]


class DemoUserInfo(BaseModel):
    name: str
    display_name: str
    id: int | None = None


class DemoEndpointAppInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    name: str
    app: str
    auth_method: str | None = Field(default=None, alias="demo_auth_method")
    root_path: str


class DemoExceptionType(str, Enum):
    user_error = "UserError"
    validation_error = "ValidationError"
    access_error = "AccessError"
    access_denied = "AccessDenied"
    missing_error = "MissingError"
    http_exception = "HTTPException"
    werkzeug_exception = "WerkzeugException"
    bare_exception = "BareException"
