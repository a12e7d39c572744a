"""The simulator's state and its citizen side, without any HTTP server.

`Simulator` keeps what a fake Zalo must remember: the pages (OAs) and their tokens, the
citizens and when they last interacted, the conversations shown on the phone page, the
media, and every webhook it delivered. `SimulatorServer` (server.py) adds the HTTP side.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from binhyen.simulator import events
from binhyen.simulator.delivery import Transport, WebhookDelivery
from binhyen.simulator.media import STICKERS, sniff_image_type, sticker_png
from binhyen.simulator.model import Citizen, ConvItem, Delivery, Payload, SimPage
from binhyen.simulator.tokens import TokenBook

log = logging.getLogger("binhyen.simulator")

WINDOW_MS = 7 * 24 * 3600 * 1000  # CS messages need an interaction in the last 7 days
FREE_MS = 48 * 3600 * 1000  # ... and are free ("reply" quota) within 48 h
DEFAULT_TOKEN_TTL = 90000  # seconds, Zalo's 25 h


@dataclass
class _Injection:
    suffix: str
    times: int
    error: int | None = None
    status: int | None = None
    delay: float | None = None


class Simulator:
    def __init__(
        self,
        pages: list[SimPage],
        webhook_url: str,
        *,
        echo: bool = True,
        receipts: bool = True,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        auto_deliver: bool = True,
        transport: Transport | None = None,
        webhook_timeout: float = 10.0,
        state_path: str | Path | None = None,
    ) -> None:
        if not pages:
            raise ValueError("the simulator needs at least one page")
        self.pages: dict[str, SimPage] = {p.oa_id: p for p in pages}
        self.echo = echo
        self.receipts = receipts
        self.base_url = ""  # set by the server once it is bound

        self._lock = threading.RLock()
        self._offset = 0.0
        self._seq = 0
        self.tokens = TokenBook(self.pages, self.now, token_ttl)
        self.webhook = WebhookDelivery(
            webhook_url,
            signer=self._page_for,
            transport=transport,
            timeout=webhook_timeout,
            auto_deliver=auto_deliver,
        )
        self.citizens: dict[tuple[str, str], Citizen] = {}
        self.conversations: dict[tuple[str, str], list[ConvItem]] = {}
        self.inbound_msgs: dict[str, tuple[str, str]] = {}  # msg_id -> (oa_id, user_id)
        self.media: dict[str, tuple[bytes, str]] = {}  # media id -> (bytes, content type)
        self.uploads: dict[str, tuple[str, str]] = {}  # attachment_id -> (oa_id, media id)
        self.file_uploads: dict[str, tuple[str, str, str]] = {}  # token -> (oa, media, name)
        self.sent: list[dict[str, Any]] = []
        self._injections: list[_Injection] = []
        # The phones' history survives a restart of the demo (var/simulator-state.json).
        self.state_path = Path(state_path) if state_path else None
        if self.state_path is not None:
            self._load_state()

    # --- what the phones remember across a restart ------------------------------------------

    def _load_state(self) -> None:
        assert self.state_path is not None
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            log.warning("simulator state %s unreadable: starting empty", self.state_path)
            return
        for c in data.get("citizens", []):
            if c.get("oa_id") in self.pages:
                self.citizens[(c["oa_id"], c["user_id"])] = Citizen(**c)
        for conv in data.get("conversations", []):
            if conv.get("oa_id") in self.pages:
                items = [ConvItem(**i) for i in conv.get("items", [])]
                self.conversations[(conv["oa_id"], conv["user_id"])] = items
        for msg_id, (oa_id, user_id) in data.get("inbound_msgs", {}).items():
            self.inbound_msgs[msg_id] = (oa_id, user_id)
        for media_id, (b64, content_type) in data.get("media", {}).items():
            self.media[media_id] = (base64.b64decode(b64), content_type)
        self._seq = max(
            [int(data.get("seq", 0))] + [i.seq for v in self.conversations.values() for i in v]
        )

    def save_state(self) -> None:
        """Write the phones' history (atomically: a crash mid-write keeps the old file)."""
        if self.state_path is None:
            return
        with self._lock:
            data = {
                "seq": self._seq,
                "citizens": [asdict(c) for c in self.citizens.values()],
                "conversations": [
                    {"oa_id": oa, "user_id": user, "items": [asdict(i) for i in items]}
                    for (oa, user), items in self.conversations.items()
                ],
                "inbound_msgs": {k: list(v) for k, v in self.inbound_msgs.items()},
                "media": {
                    k: [base64.b64encode(content).decode(), ctype]
                    for k, (content, ctype) in self.media.items()
                },
            }
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.state_path)

    @property
    def token_ttl(self) -> int:
        return self.tokens.ttl

    @token_ttl.setter
    def token_ttl(self, seconds: int) -> None:
        # Only tokens issued from now on get the new life.
        self.tokens.ttl = seconds

    @property
    def webhook_url(self) -> str:
        return self.webhook.webhook_url

    @property
    def deliveries(self) -> list[Delivery]:
        return self.webhook.deliveries

    # --- clock: tests move it instead of sleeping -----------------------------------------

    def now(self) -> float:
        return time.time() + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock: expires tokens and closes windows without sleeping."""
        with self._lock:
            self._offset += seconds

    # --- error injection ----------------------------------------------------------------

    def inject(self, path_suffix: str, error: int, times: int = 1) -> None:
        """The next `times` calls to a path ending with `path_suffix` answer `error`."""
        self._add_injection(_Injection(path_suffix, times, error=error))

    def inject_http(self, path_suffix: str, status: int, times: int = 1) -> None:
        self._add_injection(_Injection(path_suffix, times, status=status))

    def inject_delay(self, path_suffix: str, seconds: float, times: int = 1) -> None:
        self._add_injection(_Injection(path_suffix, times, delay=seconds))

    def clear_injections(self) -> None:
        with self._lock:
            self._injections.clear()

    def _add_injection(self, injection: _Injection) -> None:
        if injection.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._injections.append(injection)

    def take_injection(self, path: str) -> _Injection | None:
        with self._lock:
            for injection in self._injections:
                # "/message/cs" matches the end of a path; a suffix ending in "/" (such as
                # "/media/") matches every path below it.
                suffix = injection.suffix
                if path.endswith(suffix) or (suffix.endswith("/") and suffix in path):
                    injection.times -= 1
                    if injection.times <= 0:
                        self._injections.remove(injection)
                    return injection
            return None

    # --- citizens and conversations -----------------------------------------------------

    def page(self, oa_id: str) -> SimPage:
        try:
            return self.pages[oa_id]
        except KeyError:
            raise ValueError(f"unknown OA id {oa_id}") from None

    def register_citizen(
        self,
        oa_id: str,
        user_id: str,
        *,
        display_name: str | None = None,
        user_id_by_app: str | None = None,
    ) -> Citizen:
        page = self.page(oa_id)
        with self._lock:
            citizen = self.citizens.get((oa_id, user_id))
            if citizen is None:
                citizen = Citizen(
                    oa_id=oa_id,
                    user_id=user_id,
                    user_id_by_app=user_id_by_app or events.stable_id("app", user_id, page.app_id),
                    display_name=display_name or f"Người dùng {user_id[-4:]}",
                )
                self.citizens[(oa_id, user_id)] = citizen
            elif display_name:
                citizen.display_name = display_name
            return citizen

    def record_interaction(self, oa_id: str, user_id: str, at_ms: int | None = None) -> None:
        """Open the citizen's window as if they had just written (or at `at_ms`)."""
        citizen = self.register_citizen(oa_id, user_id)
        with self._lock:
            citizen.last_interaction_ms = self.now_ms() if at_ms is None else at_ms
        self.save_state()

    def conversation(self, oa_id: str, user_id: str, since: int = 0) -> list[ConvItem]:
        with self._lock:
            return [i for i in self.conversations.get((oa_id, user_id), []) if i.seq > since]

    def _append(self, oa_id: str, user_id: str, **fields: Any) -> ConvItem:
        with self._lock:
            self._seq += 1
            item = ConvItem(seq=self._seq, time_ms=self.now_ms(), **fields)
            self.conversations.setdefault((oa_id, user_id), []).append(item)
            return item

    def store_media(self, content: bytes, content_type: str | None = None) -> str:
        media_id = secrets.token_hex(12)
        with self._lock:
            self.media[media_id] = (content, content_type or sniff_image_type(content))
        return media_id

    def get_media(self, media_id: str) -> tuple[bytes, str] | None:
        with self._lock:
            stored = self.media.get(media_id)
        if stored is None and media_id.startswith(("avatar-", "oa-")):
            # Avatars and OA covers named by user/detail and getoa: a generated disc.
            return sticker_png(media_id.rsplit("-", 1)[-1][-3:]), "image/png"
        return stored

    def media_url(self, media_id: str, ext: str = "jpg") -> str:
        return f"{self.base_url}/media/{media_id}.{ext}"

    # --- citizen side: each builds the exact Zalo event and POSTs it ----------------------

    def _citizen_event(
        self,
        oa_id: str,
        user_id: str,
        display_name: str | None,
        item_fields: dict[str, Any],
        build: Callable[..., Payload],
    ) -> tuple[int, Payload]:
        page = self.page(oa_id)
        citizen = self.register_citizen(oa_id, user_id, display_name=display_name)
        msg_id = events.new_msg_id()
        now_ms = self.now_ms()
        with self._lock:
            citizen.last_interaction_ms = now_ms
            self.inbound_msgs[msg_id] = (oa_id, user_id)
        payload = build(
            app_id=page.app_id,
            oa_id=oa_id,
            user_id=user_id,
            user_id_by_app=citizen.user_id_by_app,
            msg_id=msg_id,
            ts_ms=now_ms,
        )
        item = self._append(oa_id, user_id, direction="in", msg_id=msg_id, **item_fields)
        delivery = self.send_event(payload)
        item.webhook_status = delivery.status
        self.save_state()
        return delivery.status, payload

    def citizen_send_text(
        self,
        oa_id: str,
        user_id: str,
        text: str,
        display_name: str | None = None,
        quote_msg_id: str | None = None,
    ) -> tuple[int, Payload]:
        def build(**ids: Any) -> Payload:
            return events.user_send_text(text=text, quote_msg_id=quote_msg_id, **ids)

        return self._citizen_event(
            oa_id, user_id, display_name, {"kind": "text", "text": text}, build
        )

    def citizen_send_image(
        self,
        oa_id: str,
        user_id: str,
        image_bytes: bytes,
        caption: str | None = None,
        display_name: str | None = None,
    ) -> tuple[int, Payload]:
        media_id = self.store_media(image_bytes)
        # Zalo hands out a separate, smaller thumbnail URL; the same bytes do here.
        thumb_id = self.store_media(image_bytes)
        url, thumbnail = self.media_url(media_id), self.media_url(thumb_id)

        def build(**ids: Any) -> Payload:
            return events.user_send_image(url=url, thumbnail=thumbnail, caption=caption, **ids)

        fields = {"kind": "image", "text": caption, "url": url}
        return self._citizen_event(oa_id, user_id, display_name, fields, build)

    def citizen_send_location(
        self,
        oa_id: str,
        user_id: str,
        lat: float,
        lon: float,
        text: str | None = None,
        display_name: str | None = None,
    ) -> tuple[int, Payload]:
        def build(**ids: Any) -> Payload:
            return events.user_send_location(latitude=lat, longitude=lon, text=text, **ids)

        fields = {"kind": "location", "text": text, "latitude": float(lat), "longitude": float(lon)}
        return self._citizen_event(oa_id, user_id, display_name, fields, build)

    def citizen_send_sticker(
        self, oa_id: str, user_id: str, sticker_id: str = "46891", display_name: str | None = None
    ) -> tuple[int, Payload]:
        if sticker_id not in STICKERS:
            raise ValueError(f"unknown sticker {sticker_id}")
        with self._lock:
            media_id = f"sticker-{sticker_id}"
            if media_id not in self.media:
                self.media[media_id] = (sticker_png(sticker_id), "image/png")
        url = self.media_url(media_id, "png")

        def build(**ids: Any) -> Payload:
            return events.user_send_sticker(sticker_id=sticker_id, url=url, **ids)

        fields = {"kind": "sticker", "url": url, "label": STICKERS[sticker_id][0]}
        return self._citizen_event(oa_id, user_id, display_name, fields, build)

    def citizen_follow(
        self, oa_id: str, user_id: str, display_name: str | None = None, *, follow: bool = True
    ) -> tuple[int, Payload]:
        page = self.page(oa_id)
        citizen = self.register_citizen(oa_id, user_id, display_name=display_name)
        now_ms = self.now_ms()
        name = "follow" if follow else "unfollow"
        with self._lock:
            citizen.is_follower = follow
            if follow:  # following counts as an interaction; unfollowing does not
                citizen.last_interaction_ms = now_ms
        payload = events.follow_event(
            name,
            app_id=page.app_id,
            oa_id=oa_id,
            user_id=user_id,
            user_id_by_app=citizen.user_id_by_app,
            ts_ms=now_ms,
        )
        item = self._append(oa_id, user_id, direction="event", kind=name, msg_id="")
        delivery = self.send_event(payload)
        item.webhook_status = delivery.status
        self.save_state()
        return delivery.status, payload

    def citizen_unfollow(self, oa_id: str, user_id: str) -> tuple[int, Payload]:
        return self.citizen_follow(oa_id, user_id, follow=False)

    def citizen_send_anonymous_text(
        self, oa_id: str, anonymous_id: str, conversation_id: str, text: str
    ) -> tuple[int, Payload]:
        page = self.page(oa_id)
        citizen = self.register_citizen(oa_id, anonymous_id, display_name="Người dùng ẩn danh")
        msg_id, now_ms = events.new_msg_id(), self.now_ms()
        with self._lock:
            citizen.last_interaction_ms = now_ms
            citizen.anonymous_conversation = conversation_id
        payload = events.anonymous_send_text(
            app_id=page.app_id,
            oa_id=oa_id,
            anonymous_id=anonymous_id,
            conversation_id=conversation_id,
            text=text,
            msg_id=msg_id,
            ts_ms=now_ms,
        )
        item = self._append(
            oa_id, anonymous_id, direction="in", kind="text", text=text, msg_id=msg_id
        )
        delivery = self.send_event(payload)
        item.webhook_status = delivery.status
        self.save_state()
        return delivery.status, payload

    def citizen_sees(
        self, oa_id: str, user_id: str, msg_ids: list[str] | None = None
    ) -> tuple[int, Payload] | None:
        """The phone showed OA messages: send one `user_seen_message` for the unseen ones."""
        page = self.page(oa_id)
        citizen = self.register_citizen(oa_id, user_id)
        with self._lock:
            wanted = set(msg_ids) if msg_ids is not None else None
            fresh = [
                i
                for i in self.conversations.get((oa_id, user_id), [])
                if i.direction == "out" and not i.seen and (wanted is None or i.msg_id in wanted)
            ]
            for item in fresh:
                item.seen = True
        if fresh:
            self.save_state()
        if not fresh or not self.receipts:
            return None
        # Seen receipts are not interactions: the window is left alone.
        payload = events.user_seen_message(
            app_id=page.app_id,
            oa_id=oa_id,
            user_id=user_id,
            user_id_by_app=citizen.user_id_by_app,
            msg_ids=[i.msg_id for i in fresh],
            ts_ms=self.now_ms(),
        )
        delivery = self.send_event(payload)
        return delivery.status, payload

    # --- OA side bookkeeping (called by the fake API) --------------------------------------

    def record_oa_message(
        self,
        page: SimPage,
        citizen: Citizen,
        *,
        kind: str,
        text: str | None,
        url: str | None = None,
        label: str | None = None,
        extra: dict[str, Any] | None = None,
        echo_name: str,
        echo_message: Payload,
    ) -> str:
        msg_id = events.new_msg_id()
        now_ms = self.now_ms()
        with self._lock:
            # The page answered: it has read what the citizen wrote before ("Đã xem" on the
            # citizen's own bubbles, as Zalo shows when the page reads a conversation).
            for earlier in self.conversations.get((page.oa_id, citizen.user_id), []):
                if earlier.direction == "in":
                    earlier.seen = True
        self._append(
            page.oa_id,
            citizen.user_id,
            direction="out",
            kind=kind,
            text=text,
            url=url,
            label=label,
            msg_id=msg_id,
        )
        with self._lock:
            self.sent.append(
                {
                    "page": page.oa_id,
                    "user_id": citizen.user_id,
                    "kind": kind,
                    "text": text,
                    "attachment": url,
                    "message_id": msg_id,
                    "time": now_ms,
                    **(extra or {}),
                }
            )
        if self.echo:
            self.webhook.enqueue(
                events.oa_echo(
                    echo_name,
                    app_id=page.app_id,
                    oa_id=page.oa_id,
                    user_id=citizen.user_id,
                    user_id_by_app=None
                    if citizen.anonymous_conversation
                    else citizen.user_id_by_app,
                    message={**echo_message, "msg_id": msg_id},
                    ts_ms=now_ms,
                )
            )
        if self.receipts and not citizen.anonymous_conversation:
            self.webhook.enqueue(
                events.user_received_message(
                    app_id=page.app_id,
                    oa_id=page.oa_id,
                    user_id=citizen.user_id,
                    user_id_by_app=citizen.user_id_by_app,
                    msg_id=msg_id,
                    ts_ms=now_ms,
                )
            )
        self.save_state()
        return msg_id

    # --- webhook delivery ---------------------------------------------------------------

    def send_event(
        self, payload: Payload, sign: bool = True, headers: Mapping[str, str] | None = None
    ) -> Delivery:
        """Serialise, sign with the OA's secret and POST one event to the webhook, now."""
        return self.webhook.send(payload, sign, headers)

    def deliver_pending(self) -> list[Delivery]:
        """Deliver queued echo/receipt events now, in this thread (auto_deliver=False)."""
        return self.webhook.deliver_pending()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event was delivered; False on timeout."""
        return self.webhook.wait_idle(timeout)

    def _page_for(self, payload: Payload) -> SimPage:
        oa_id, _person = events.oa_and_person(payload)
        if oa_id in self.pages:
            return self.pages[oa_id]
        same_app = [p for p in self.pages.values() if p.app_id == payload.get("app_id")]
        if len(same_app) == 1:
            return same_app[0]
        raise ValueError("cannot tell which page signs this event")

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able view for /_sim/state (demo debugging)."""
        with self._lock:
            return {
                "pages": [{"oa_id": p.oa_id, "name": p.name} for p in self.pages.values()],
                "sent": list(self.sent),
                "deliveries": [
                    {"event_name": d.event_name, "status": d.status} for d in self.deliveries
                ],
                "citizens": [asdict(c) for c in self.citizens.values()],
            }
