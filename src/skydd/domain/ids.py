"""Typed ids: a bare ``str`` or ``UUID`` never travels through a signature."""

from __future__ import annotations

from typing import NewType
from uuid import UUID

OrganisationId = NewType("OrganisationId", UUID)
RegisterVersionId = NewType("RegisterVersionId", UUID)
PolicyVersionId = NewType("PolicyVersionId", UUID)
