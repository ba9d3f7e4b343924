"""run.remote's connection to a Dask scheduler: the address checked before anything connects,
a handshake under one deadline, and a watch that asks the scheduler, with a deadline, whether it
answers and has a worker (issue 27: nothing waits forever)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter

from selfeval import config
from selfeval.errors import (
    ClusterSettingError,
    NoWorkers,
    SchedulerLost,
    SchedulerUnavailable,
    SchedulerUnresponsive,
)

#: Seconds without an answer from the scheduler, or without any worker, before a batch gives up.
DASK_TIMEOUT_ENV = "SELFEVAL_DASK_TIMEOUT"
DASK_TIMEOUT_DEFAULT = 60.0
#: Seconds between two looks at the scheduler while results are awaited.
CHECK_EVERY = 1.0
NOTHING_CHANGED = "已有报告未改动 / earlier outputs are unchanged"


def dask_timeout() -> float:
    """SELFEVAL_DASK_TIMEOUT in seconds (default 60); anything but a positive number is said."""
    try:
        return config.env_seconds(DASK_TIMEOUT_ENV, DASK_TIMEOUT_DEFAULT, most=1e9)
    except ValueError as exc:
        raise ClusterSettingError(str(exc)) from None


def check_address(scheduler: str) -> str:
    """The scheduler's address as distributed reads it, or ClusterSettingError in one line.

    distributed finds a malformed address only inside Client(), raises it as a traceback and
    then spends twice its timeout closing the half-made client; a host name that does not
    resolve is retried until the connect timeout. Both are said here, before any connection.
    """
    # distributed (~0.5 s) only for a cluster batch: `make report` without one never imports it
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    text = scheduler.strip()
    host, port = None, 0
    try:
        scheme, loc = parse_address(text, strict=False)
        registry.get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(loc)
            if not host or not 0 < port < 65536 or any(c.isspace() for c in host):
                raise ValueError(f"no host or port in {loc!r}")
    except ValueError as exc:
        raise ClusterSettingError(
            f"Dask 调度器地址「{scheduler}」无效，应形如 tcp://主机:8786（{exc}），未连接任何调度器"
            f" / invalid dask scheduler address {scheduler!r}: expected tcp://host:8786"
        ) from None
    if host is not None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise ClusterSettingError(
                f"Dask 调度器地址「{scheduler}」中的主机名 {host} 无法解析"
                f"（{getattr(exc, 'strerror', None) or exc}），未连接任何调度器"
                f" / cannot resolve the scheduler's host {host}"
            ) from None
    return f"{scheme}://{loc}"


def _unavailable(address: str, timeout: float, exc: BaseException) -> SchedulerUnavailable:
    return SchedulerUnavailable(
        f"无法连接 Dask 调度器 {address}：{timeout:g} 秒内调度器无响应（{DASK_TIMEOUT_ENV}），"
        f"未提交任何任务，{NOTHING_CHANGED} / no dask scheduler answered at {address}"
        f" within {timeout:g} s{f' ({exc})' if str(exc) else ''}"
    )


def _probe(address: str, timeout: float) -> None:
    """Connect and finish distributed's handshake within `timeout`, else SchedulerUnavailable.

    Client(timeout=) bounds the TCP connect only: distributed.comm.connect then reads the
    peer's handshake without a limit, so a listener that accepts and never answers (a frozen
    scheduler, a host that swallows packets behind a proxy) holds Client() forever. Here the
    whole exchange runs in a private event loop under one deadline and is cancelled with it.
    """
    from distributed.comm import connect  # distributed: imported once a cluster is asked for

    async def hello() -> None:
        comm = await connect(address, timeout=timeout)
        await comm.close()

    # A thread of its own: asyncio.run refuses a thread that already runs an event loop (a
    # caller inside a notebook, or beside Playwright's sync API in one test session).
    failure: list[BaseException] = []

    def probe() -> None:
        try:
            asyncio.run(asyncio.wait_for(hello(), timeout))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=probe, name="selfeval-dask-probe", daemon=True)
    worker.start()
    worker.join(timeout + 5)
    if worker.is_alive():
        failure.append(TimeoutError("handshake"))
    if failure and isinstance(failure[0], OSError | TimeoutError):
        raise _unavailable(address, timeout, failure[0]) from failure[0]
    if failure:
        raise failure[0]


def open_client(address: str, timeout: float):
    """A Client of the scheduler at `address` (checked), having answered within `timeout`."""
    from distributed import Client  # as in check_address

    _probe(address, timeout)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise _unavailable(address, timeout, exc) from exc


class Watch:
    """Is the scheduler answering, and has it a worker? Asked with a deadline, every second.

    distributed's client notices a scheduler that closed its connection (futures are
    cancelled, SchedulerLost), but not one that stops answering while its socket stays open
    (SIGSTOP, a hung host): futures stay pending forever. And a scheduler whose last worker
    died keeps its tasks waiting for a worker that may never come. So the batch asks for the
    scheduler's workers through ``Client.sync(..., callback_timeout=)`` (the deadline
    ``Future.result(timeout=)`` uses; ``wait_for_workers`` and ``scheduler_info`` have none): no
    answer within the timeout is SchedulerUnresponsive, no worker for the timeout NoWorkers.
    Tasks whose worker died under them are counted from the scheduler's ``remove-worker``
    events (``subscribe_topic``), so that the message can say what happened to them.
    """

    def __init__(self, client, address: str, timeout: float) -> None:
        self.client = client
        self.address = address
        self.timeout = timeout
        self.lost: Counter[str] = Counter()
        self.no_worker_since: float | None = None
        self.next_check = 0.0
        client.subscribe_topic("all", self._on_event)

    def _on_event(self, event) -> None:  # runs on the client's event loop
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else None
        if (
            isinstance(msg, dict)
            and msg.get("action") == "remove-worker"
            and not msg.get("expected")
        ):
            for key in msg.get("processing-tasks") or ():
                self.lost[str(key)] += 1

    def bounded(self, make, done: str = ""):
        """`make()`'s awaitable run on the client's loop; SchedulerUnresponsive after timeout."""
        try:
            return self.client.sync(make, callback_timeout=self.timeout)
        except TimeoutError as exc:
            raise SchedulerUnresponsive(
                f"Dask 调度器 {self.address} 已 {self.timeout:g} 秒无响应（调度器无响应，"
                f"{DASK_TIMEOUT_ENV}）：{done or '未提交任何任务'}，{NOTHING_CHANGED}"
                f" / the dask scheduler did not answer for {self.timeout:g} s"
            ) from exc

    async def _identity(self) -> dict | None:
        """The scheduler's identity; None once the client has lost its connection (then the
        cancelled futures say so at once, while a new connection would be retried until the
        connect timeout)."""
        ask = asyncio.ensure_future(self.client.scheduler.identity(n_workers=-1))
        try:
            while not ask.done():
                if self.client.status != "running":
                    return None
                await asyncio.wait([ask], timeout=0.1)
            return ask.result()
        finally:
            ask.cancel()

    def workers(self, done: str = "") -> int | None:
        """How many workers the scheduler has; None when the connection is gone."""
        info = self.bounded(self._identity, done)
        return None if info is None else len(info.get("workers") or {})

    def wait_for_workers(self) -> None:
        """At least one worker within the timeout, else NoWorkers before anything is sent."""
        deadline = time.monotonic() + self.timeout
        while not (found := self.workers()):
            if found is None:
                raise SchedulerLost(
                    f"与 Dask 调度器的连接已断开，未提交任何任务，{NOTHING_CHANGED}"
                )
            if time.monotonic() >= deadline:
                raise NoWorkers(
                    f"Dask 调度器 {self.address} 上 {self.timeout:g} 秒内没有可用的 worker"
                    f"（{DASK_TIMEOUT_ENV}）：未提交任何任务，{NOTHING_CHANGED}"
                    f" / no dask worker joined {self.address} within {self.timeout:g} s"
                )
            time.sleep(0.2)

    def check(self, done: str, lost: list[str]) -> None:
        """Once a second at most: the scheduler answers and some worker has been there lately."""
        now = time.monotonic()
        if now < self.next_check:
            return
        self.next_check = now + CHECK_EVERY
        found = self.workers(done)
        if found is None or found:  # gone: the cancelled futures raise SchedulerLost
            self.no_worker_since = None
            return
        self.no_worker_since = self.no_worker_since or now
        if now - self.no_worker_since >= self.timeout:
            why = "；".join(lost)
            raise NoWorkers(
                f"Dask 调度器 {self.address} 上已 {self.timeout:g} 秒没有可用的 worker"
                f"（{DASK_TIMEOUT_ENV}）{'：' + why if why else ''}；{done}，{NOTHING_CHANGED}"
                f" / no dask worker for {self.timeout:g} s"
            )
