"""The Web API's views.*: modals opened and pushed with a trigger_id, updated, and App Home published."""

from __future__ import annotations

import copy
import time

from bot.kernel import blocks_limits as limits
from bot.sandbox.api_base import ApiBase
from bot.sandbox.api_errors import ApiError
from bot.sandbox.api_params import str_arg, view_spec
from bot.sandbox.workspace import DEFAULT_TS_BASE, Json

TRIGGER_TTL = 3.0  # seconds: Slack's trigger_ids expire three seconds after the interaction


class ViewsApi(ApiBase):
    trigger_ttl: float
    _triggers_expired: set[str]

    def _exchange_trigger(self, p: Json) -> str:
        """The user whose interaction issued this trigger_id; each one opens one view, within 3 s."""
        trigger_id = str_arg(p, "trigger_id") or str_arg(p, "interactivity_pointer")
        if not trigger_id:
            raise ApiError("invalid_arguments")
        issued = self._trigger_issued.get(trigger_id)
        if issued is None:
            raise ApiError("invalid_trigger_id")
        if trigger_id in self._triggers_used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - issued > self.trigger_ttl:
            self._triggers_expired.add(trigger_id)
            raise ApiError("expired_trigger_id")
        return trigger_id

    def trigger_expired(self, trigger_id: str) -> bool:
        """Whether a view was refused because this trigger_id was used after its 3 s."""
        return trigger_id in self._triggers_expired

    def _views_open(self, p: Json) -> Json:
        trigger_id = self._exchange_trigger(p)
        view = self._build_view(view_spec(p, "modal"), self.new_id("V"))
        self._triggers_used.add(trigger_id)
        user = self.user_for_trigger(trigger_id)
        self.store_view(view, user=user, open_modal=True)
        self._log_view("open", user, view)
        return {"view": copy.deepcopy(view)}

    def _views_push(self, p: Json) -> Json:
        trigger_id = self._exchange_trigger(p)
        user = self.user_for_trigger(trigger_id)
        stack = [v["id"] for v in self.open_views_for(user)]
        if len(stack) >= limits.MODAL_STACK:
            raise ApiError("push_limit_reached")
        view = self._build_view(
            view_spec(p, "modal"),
            self.new_id("V"),
            previous=stack[-1] if stack else None,
            root=stack[0] if stack else None,
        )
        self._triggers_used.add(trigger_id)
        self.store_view(view, user=user, push=True)
        self._log_view("push", user, view)
        return {"view": copy.deepcopy(view)}

    def _views_update(self, p: Json) -> Json:
        view_id, external_id = str_arg(p, "view_id"), str_arg(p, "external_id")
        if not view_id and not external_id:
            raise ApiError("invalid_arguments")
        current = self.get_view(view_id, external_id)
        if current is None:
            raise ApiError("not_found")
        if p.get("hash") and p["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._build_view(
            view_spec(p, current["type"]),
            current["id"],
            previous=current["previous_view_id"],
            root=current["root_view_id"],
        )
        user = self.view_owner(view["id"])
        self.store_view(view, user=user)
        self._log_view("update", user, view)
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, p: Json) -> Json:
        user = str_arg(p, "user_id")
        if user not in self.users:
            raise ApiError("user_not_found")
        spec = view_spec(p, "home")
        current_id = self.home_view_id(user)
        current = self.get_view(current_id) if current_id else None
        if current is not None and p.get("hash") and p["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._build_view(spec, current_id or self.new_id("V"))
        self.store_view(view, user=user)
        self._log_view("publish", user, view)
        return {"view": copy.deepcopy(view)}

    def _build_view(
        self, spec: Json, view_id: str, *, previous: str | None = None, root: str | None = None
    ) -> Json:
        external_id = str(spec.get("external_id", ""))
        clash = self.get_view(external_id=external_id) if external_id else None
        if clash is not None and clash["id"] != view_id:
            raise ApiError("duplicate_external_id")
        seq = self.next_seq()
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec["type"],
            "title": spec.get("title"),
            "submit": spec.get("submit"),
            "close": spec.get("close"),
            "blocks": spec.get("blocks", []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "external_id": external_id,
            "state": {"values": {}},
            "hash": f"{int(DEFAULT_TS_BASE) + seq}.{seq:08x}",
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _log_view(self, action: str, user: str, view: Json) -> None:
        self.log(
            "view",
            action=action,
            user=user,
            view_id=view["id"],
            type=view["type"],
            callback_id=view["callback_id"],
            title=(view.get("title") or {}).get("text", ""),
            blocks=view["blocks"],
        )
