# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pydantic models shared by APIs, and those of the demo app."""

from __future__ import annotations

import warnings
from enum import Enum
from typing import Annotated, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field

T = TypeVar("T")


class Paging(BaseModel):
    limit: int | None = None
    offset: int | None = None


class PagedCollection(BaseModel, Generic[T]):
    """One page of a collection, with the size of the whole collection."""

    # "total" is what older clients send; "count" is the field's name.
    count: Annotated[
        int,
        Field(
            description="How many items the whole collection holds; replaces the deprecated total.",
            validation_alias=AliasChoices("count", "total"),
        ),
    ]
    items: list[T]

    # Still in every answer: clients of the OCA API read it.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return self.count

    @total.setter
    def total(self, value: int) -> None:
        warnings.warn("PagedCollection.total is deprecated: use count", DeprecationWarning, stacklevel=2)
        self.count = value


class DemoUserInfo(BaseModel):
    name: str
    display_name: str


class DemoEndpointAppInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    name: str
    app: str
    auth_method: str = Field(alias="demo_auth_method")
    root_path: str


class ErrorDetail(BaseModel):
    """The body of an error answer."""

    detail: str


class DemoExceptionType(str, Enum):
    user_error = "UserError"
    validation_error = "ValidationError"
    access_error = "AccessError"
    access_denied = "AccessDenied"
    missing_error = "MissingError"
    http_exception = "HTTPException"
    werkzeug_exception = "WerkzeugException"
    bare_exception = "BareException"
