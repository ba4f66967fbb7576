"""Dead letters: messages and values that failed validation, with the reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import AdminUser
from api.deps import RegistryDep
from api.schemas import DeadLetterPage, DeadLetterPublic
from kolam.timeutil import iso

router = APIRouter(prefix="/api/v1/deadletters", tags=["dead letters"])


@router.get("", response_model=DeadLetterPage,
            summary="Newest dead letters first (admin; a site-scoped admin: its sites' topics)")
def list_dead_letters(admin: AdminUser, registry: RegistryDep,
                      reason: Annotated[str | None, Query()] = None,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                      offset: Annotated[int, Query(ge=0)] = 0) -> DeadLetterPage:
    # A letter on no site's topic (malformed, or another installation's) is for global
    # admins only, as are other sites' letters.
    scope = None if admin.all_sites else admin.sites
    items = [DeadLetterPublic(id=d.id, received_at=iso(d.received_at), source=d.source,
                              topic=d.topic, reason=d.reason, detail=d.detail,
                              payload=d.payload)
             for d in registry.dead_letters(reason=reason, sites=scope, limit=limit,
                                            offset=offset)]
    return DeadLetterPage(total_by_reason=registry.dead_letter_counts(scope), items=items)
