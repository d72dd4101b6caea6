"""The soak (``scripts/soak``): unique inserts through injected faults, checked by the database.

Per engine, one ``serve --faults`` endpoint (every kind at >= 4 %) and N
threads with ``Client`` plus N asyncio tasks with ``AsyncClient`` insert
unique keys, never idempotent, until a count or a deadline. Each outcome is
recorded per key: acknowledged, ``StatementMayHaveRunError`` (ambiguous),
another ``DataAPIError`` (a definite failure), or a foreign exception. Then
the endpoint is stopped and the rows are read with the database's own driver
(sqlite3 on the endpoint's state file, psycopg, PyMySQL):

- every acknowledged key present exactly once, every definite failure absent;
- zero duplicate-key errors (a replayed insert would raise one);
- ambiguous keys present at most once; zero exceptions outside ``DataAPIError``.

``--transactions``: each unit is BEGIN, three inserts, COMMIT through
``with client.transaction()``; every unit is then wholly present or wholly
absent, present when the commit was acknowledged, absent when it definitely
failed, and a commit that may have run said so (``StatementMayHaveRunError``).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rel_serve
from rel_table import Table

EVERY_KIND = "reset-before=0.04,throttle=0.04,drop-after=0.04,error-after=0.04,delay-after=0.04"
UNIT = 3  # inserts per transaction


@dataclass
class Outcomes:
    """What the clients saw, by key (insert mode) or by unit (transaction mode)."""

    acked: set[str] = field(default_factory=set)
    ambiguous: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # key -> error class
    foreign: list[str] = field(default_factory=list)
    duplicate_errors: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    commit_errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self,
        key: str,
        error: BaseException | None,
        *,
        at_commit: bool = False,
        uncommitted: bool = False,
    ) -> None:
        """``uncommitted``: the error came before COMMIT was sent, so nothing can persist."""
        from sigv4_dataapi import DataAPIError, StatementMayHaveRunError

        with self.lock:
            if error is None:
                self.acked.add(key)
                return
            name = type(error).__name__
            self.errors[name] += 1
            if at_commit:
                self.commit_errors[name] += 1
            if not isinstance(error, DataAPIError):
                self.foreign.append(f"{key}: {error!r}")
                self.failed[key] = name
            elif _is_duplicate(error):
                self.duplicate_errors.append(f"{key}: {error}")
            elif isinstance(error, StatementMayHaveRunError) and not uncommitted:
                self.ambiguous.add(key)
            else:
                self.failed[key] = name


def _is_duplicate(error: BaseException) -> bool:
    text = str(error).lower()
    return "duplicate" in text or "unique constraint" in text


def _insert_sql(table: Table) -> str:
    return f"INSERT INTO {table.name} (k, w) VALUES (:k, :w)"


def _sync_worker(
    served: rel_serve.Served,
    table: Table,
    out: Outcomes,
    name: str,
    deadline: float,
    count: int,
    transactions: bool,
    timeout: float,
) -> None:
    from sigv4_dataapi import Client

    options = rel_serve.client_options(served)
    sql = _insert_sql(table)
    with Client(
        options.pop("resource_arn"), options.pop("secret_arn"), timeout=timeout, **options
    ) as client:
        for i in range(count):
            if time.monotonic() > deadline:
                return
            key = f"{name}-{i}"
            if not transactions:
                try:
                    client.execute(sql, {"k": key, "w": i})
                    out.record(key, None)
                except BaseException as exc:  # recorded: foreign ones are a failure
                    out.record(key, exc)
                continue
            body_done = False
            try:
                with client.transaction() as tx:
                    for j in range(UNIT):
                        tx.execute(sql, {"k": f"{key}/{j}", "w": i})
                    body_done = True
                out.record(key, None)
            except BaseException as exc:
                out.record(key, exc, at_commit=body_done, uncommitted=not body_done)


async def _async_worker(
    served: rel_serve.Served,
    table: Table,
    out: Outcomes,
    name: str,
    deadline: float,
    count: int,
    transactions: bool,
    timeout: float,
) -> None:
    from sigv4_dataapi import AsyncClient

    options = rel_serve.client_options(served)
    sql = _insert_sql(table)
    async with AsyncClient(
        options.pop("resource_arn"), options.pop("secret_arn"), timeout=timeout, **options
    ) as client:
        for i in range(count):
            if time.monotonic() > deadline:
                return
            key = f"{name}-{i}"
            if not transactions:
                try:
                    await client.execute(sql, {"k": key, "w": i})
                    out.record(key, None)
                except Exception as exc:
                    out.record(key, exc)
                continue
            body_done = False
            try:
                async with client.transaction() as tx:
                    for j in range(UNIT):
                        await tx.execute(sql, {"k": f"{key}/{j}", "w": i})
                    body_done = True
                out.record(key, None)
            except Exception as exc:
                out.record(key, exc, at_commit=body_done, uncommitted=not body_done)


def _async_workers(*args: Any, tasks: int) -> None:
    served, table, out, deadline, count, transactions, timeout = args

    async def main() -> None:
        await asyncio.gather(
            *(
                _async_worker(served, table, out, f"a{n}", deadline, count, transactions, timeout)
                for n in range(tasks)
            )
        )

    asyncio.run(main())


def units(present: Counter[str]) -> Counter[str]:
    """Rows ``unit/j`` counted per unit (transaction mode)."""
    return Counter(key.rpartition("/")[0] for key in present.elements())


def check(out: Outcomes, present: Counter[str], want: int) -> list[str]:
    """The promises, as a list of violations (empty: kept); ``want`` rows per acked key."""
    problems = [f"{k} has {n} rows, not 0 or {want}" for k, n in present.items() if n != want][:5]
    problems += [f"acknowledged {k} missing" for k in sorted(out.acked) if present[k] != want][:5]
    problems += [
        f"{k} failed definitely ({out.failed[k]}) yet present"
        for k in sorted(out.failed)
        if present[k]
    ][:5]
    problems += [f"duplicate-key error: {e}" for e in out.duplicate_errors[:5]]
    problems += [f"foreign exception: {e}" for e in out.foreign[:5]]
    return problems


def soak_engine(
    engine: str,
    state_dir: Path,
    *,
    seconds: float,
    count: int,
    threads: int,
    tasks: int,
    faults: str,
    seed: int,
    delay: float,
    transactions: bool,
    timeout: float,
) -> dict[str, Any]:
    """One engine's soak: start, run, stop, check. The report says ``ok`` and why not."""
    url = rel_serve.ENGINE_URLS[engine]
    state_dir.mkdir(parents=True, exist_ok=True)
    table = Table(engine, url, state_dir)
    table.create()
    served = rel_serve.start(
        state_dir,
        "--faults",
        faults,
        "--fault-seed",
        str(seed),
        "--fault-delay",
        str(delay),
        "--transaction-idle-timeout",
        "2",
        database_url=url,
    )
    out = Outcomes()
    started = time.monotonic()
    deadline = started + seconds
    common = (served, table, out)
    workers = [
        threading.Thread(
            target=_sync_worker, args=(*common, f"s{n}", deadline, count, transactions, timeout)
        )
        for n in range(threads)
    ]
    workers.append(
        threading.Thread(
            target=_async_workers,
            args=(*common, deadline, count, transactions, timeout),
            kwargs={"tasks": tasks},
        )
    )
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    served.stop()  # rolls back what is still open before the rows are read
    stderr = served.stderr_text()
    traceback_count = stderr.count("Traceback")
    injected = [
        json.loads(line)["faults_injected"]
        for line in stderr.splitlines()
        if line.startswith('{"faults_injected"')
    ]
    present = units(table.keys()) if transactions else table.keys()
    problems = check(out, present, UNIT if transactions else 1)
    if traceback_count:
        problems.append(f"server printed {traceback_count} tracebacks")
    if engine != "sqlite":
        table.drop()
    attempts = len(out.acked) + len(out.ambiguous) + len(out.failed) + len(out.duplicate_errors)
    return {
        "engine": engine,
        "mode": "transactions" if transactions else "inserts",
        "ok": not problems,
        "problems": problems,
        "seconds": round(elapsed, 1),
        "attempted": attempts,
        "acknowledged": len(out.acked),
        "ambiguous": len(out.ambiguous),
        "ambiguous_present": sum(1 for k in out.ambiguous if present[k]),
        "definite_failures": len(out.failed),
        "duplicate_key_errors": len(out.duplicate_errors),
        "foreign_exceptions": len(out.foreign),
        "errors": dict(out.errors),
        "commit_errors": dict(out.commit_errors),
        "faults_injected": injected[-1] if injected else None,
        "faults": faults,
        "fault_seed": seed,
    }
