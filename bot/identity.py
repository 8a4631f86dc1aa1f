"""Who is talking: AAD object id, name, UPN/e-mail (Teams member info), municipality; cached in the store."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from core.messages import UserProfile
from core.settings import Settings, municipality_for
from store.users import UserRepository

log = logging.getLogger(__name__)


class IdentityResolver:
    def __init__(self, users: UserRepository, settings: Settings) -> None:
        self._users = users
        self._settings = settings

    async def resolve(self, context: TurnContext) -> UserProfile:
        account = context.activity.from_property
        cached = await self._users.fresh_by_channel_id(account.id, self._settings.user_cache_seconds)
        if cached is not None:
            return cached
        name, email, aad_id = account.name or "", "", account.aad_object_id or ""
        looked_up = False
        if context.activity.channel_id == "msteams":
            try:
                member = await TeamsInfo.get_member(context, account.id)
                name = member.name or name
                email = member.email or member.user_principal_name or ""
                aad_id = member.aad_object_id or aad_id
                looked_up = True
            except Exception as error:  # noqa: BLE001 - Teams outage: go on with what the activity says
                log.warning("teams member lookup failed", extra={"error": repr(error)})
        municipality = municipality_for(email, self._settings.municipality_domains)
        profile = UserProfile(
            id=aad_id or account.id,
            channel_user_id=account.id,
            name=name,
            email=email,
            municipality=municipality,
            is_staff=municipality == self._settings.staff_municipality,
        )
        if looked_up:  # an incomplete profile is not cached, so the next turn tries again
            await self._users.save(profile)
        return profile
