"""Posting signed webhook events, now (citizen actions) or through a queue (Zalo's own).

Citizen actions are delivered synchronously so a test gets the webhook's answer. Events
Zalo sends on its own (echoes of OA messages, receipts) are queued and delivered by a
background thread, or, with ``auto_deliver=False``, by `deliver_pending()` in the caller's
thread (useful when the webhook is an in-process test client bound to one thread).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping

from binhyen.channels.zalo.signature import signature_header
from binhyen.simulator.model import Delivery, Payload, SimPage

log = logging.getLogger("binhyen.simulator")

# (body bytes, headers) -> (HTTP status, response body); replaces the HTTP POST if given.
Transport = Callable[[bytes, Mapping[str, str]], tuple[int, bytes]]


def encode(payload: Payload) -> bytes:
    """The raw body as Zalo sends it: compact UTF-8 JSON (the signature covers these bytes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookDelivery:
    def __init__(
        self,
        webhook_url: str,
        *,
        signer: Callable[[Payload], SimPage],
        transport: Transport | None = None,
        timeout: float = 10.0,
        auto_deliver: bool = True,
    ) -> None:
        if transport is None and not webhook_url.startswith(("http://", "https://")):
            raise ValueError("webhook_url must be an http(s) URL")
        self.webhook_url = webhook_url
        self.signer = signer
        self.transport = transport
        self.timeout = timeout
        self.auto_deliver = auto_deliver
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._queue: queue.Queue[Payload | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(
        self, payload: Payload, sign: bool = True, headers: Mapping[str, str] | None = None
    ) -> Delivery:
        body = encode(payload)
        all_headers = {"Content-Type": "application/json; charset=utf-8"}
        if sign:
            page = self.signer(payload)
            all_headers["X-ZEvent-Signature"] = signature_header(
                app_id=page.app_id,
                raw_body=body,
                timestamp=str(payload.get("timestamp", "")),
                oa_secret_key=page.oa_secret_key,
            )
        all_headers.update(headers or {})
        status, response = self._post(body, all_headers)
        event_name = str(payload.get("event_name", ""))
        delivery = Delivery(event_name, status, response, payload, all_headers)
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def _post(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        if self.transport is not None:
            return self.transport(body, headers)
        # The scheme was checked in __init__ (http/https only).
        req = urllib.request.Request(  # noqa: S310
            self.webhook_url, data=body, headers=dict(headers), method="POST"
        )
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            log.warning("webhook unreachable: %s", type(exc).__name__)
            return 0, b""

    def enqueue(self, payload: Payload) -> None:
        self._queue.put(payload)

    def start(self) -> None:
        if self.auto_deliver and self._worker is None:
            self._worker = threading.Thread(target=self._loop, name="zalo-sim-events", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=5)
            self._worker = None

    def _loop(self) -> None:
        while True:
            payload = self._queue.get()
            try:
                if payload is None:
                    return
                self.send(payload)
            except Exception:  # a broken webhook must not kill the delivery thread
                log.exception("event delivery failed")
            finally:
                self._queue.task_done()

    def deliver_pending(self) -> list[Delivery]:
        done: list[Delivery] = []
        while True:
            try:
                payload = self._queue.get_nowait()
            except queue.Empty:
                return done
            try:
                if payload is not None:
                    done.append(self.send(payload))
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        with self._queue.all_tasks_done:
            return self._queue.all_tasks_done.wait_for(
                lambda: self._queue.unfinished_tasks == 0, timeout
            )
