"""``sigv4-dataapi serve``: a local RDS Data API endpoint that verifies SigV4.

Standard library only at module level (building the CLI parser stays cheap);
the endpoint itself is imported inside :func:`run`. The first stdout line is
one JSON object (endpoint, CA file, region, the development access key id,
example ARNs, the engine), printed only once the socket accepts connections.
SIGINT and SIGTERM stop it cleanly: open transactions are rolled back.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from sigv4_dataapi._cli.main import UsageError

if TYPE_CHECKING:
    from sigv4_dataapi._cli.main import Context
    from sigv4_dataapi._server.server_settings import ServeSettings
    from sigv4_dataapi._server.state.fault_injection import FaultPlan

HELP = "run a local Data API endpoint (SigV4-verified; SQLite, PostgreSQL or MariaDB)"
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seconds must be >= 0, not {text}")
    return value


EPILOG = (
    "The first stdout line is one JSON object: endpoint, ca_file (verify TLS against it), "
    "region, access_key_id, example resource/secret ARNs and engine (the Aurora engine family "
    "it answers as, postgresql or mysql, and the server's version; SQLite answers as Aurora "
    "MySQL). Without --config the AWS "
    "documentation's example key pair AKIAIOSFODNN7EXAMPLE / "
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY (never a real key) may call everything, and "
    "any well-formed cluster or secret ARN works. SIGINT/SIGTERM stop it; open "
    "transactions are rolled back."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add("--port", type=int, default=0, help="port (default 0: any free port)")
    add(
        "--database-url",
        help="sqlite:///path, postgresql://user:pw@host:port/db or mysql://user:pw@host:port/db "
        "(default: SQLite in the state directory)",
    )
    add("--flavor", choices=("v2", "v1"), default="v2", help="Data API generation to mimic")
    add("--region", default="us-east-1", help="region requests must be signed for")
    add("--config", type=Path, help="JSON/TOML file: key pairs, allow lists, secrets, clusters")
    add("--state-dir", type=Path, help="where certificates and the SQLite file live")
    add("--no-tls", action="store_true", help="serve plain HTTP (loopback only unless --force)")
    add("--force", action="store_true", help="allow --no-tls on a non-loopback --host")
    add("--pause-after", type=_seconds, metavar="SECONDS", help="auto-pause after idle seconds")
    add("--resume-seconds", type=_seconds, default=15.0, metavar="SECONDS",
        help="how long a paused cluster takes to resume (default 15)")  # fmt: skip
    add("--start-paused", action="store_true", help="the cluster starts paused")
    add("--statement-timeout", type=_seconds, default=45.0, metavar="SECONDS",
        help="statement timeout (default 45)")  # fmt: skip
    add("--transaction-idle-timeout", type=_seconds, default=180.0, metavar="SECONDS",
        help="roll back a transaction unused this long (default 180)")  # fmt: skip
    add("--transaction-max-age", type=_seconds, default=86400.0, metavar="SECONDS",
        help="roll back a transaction this old (default 86400)")  # fmt: skip
    add("--max-connections", type=_positive, default=256, metavar="N",
        help="open connections (one handler thread each) at most; more are closed "
        "(default 256)")  # fmt: skip
    add("--request-timeout", type=_seconds, default=30.0, metavar="SECONDS",
        help="a request must arrive within this of its first byte, else the connection "
        "is closed (default 30)")  # fmt: skip
    add("--faults", metavar="SPEC",
        help="inject faults: comma-separated kind=probability, kinds reset-before, throttle, "
        "drop-after, error-after, delay-after (testing only)")  # fmt: skip
    add("--fault-seed", type=int, metavar="N", help="seed of --faults (default: random, reported)")
    add("--fault-delay", type=_seconds, default=2.0, metavar="SECONDS",
        help="how long delay-after holds the answer (default 2)")  # fmt: skip
    add("--verbose", action="store_true", help="log one line per request on stderr")
    add("--engine-info", action="store_true",
        help="print the engine object (family, answers_as, server, version) and exit")  # fmt: skip


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def fault_plan(args: argparse.Namespace) -> FaultPlan | None:
    """The ``--faults`` plan, or None; a bad SPEC is a :class:`UsageError` (one line)."""
    from sigv4_dataapi._server.state import fault_injection as fi

    if args.faults is None:
        if args.fault_seed is not None:
            raise UsageError("--fault-seed needs --faults")
        return None
    try:
        spec = fi.parse_spec(args.faults)
    except fi.FaultSpecError as exc:
        raise UsageError(str(exc)) from None
    seed = args.fault_seed if args.fault_seed is not None else int.from_bytes(os.urandom(4), "big")
    return fi.FaultPlan(spec, seed, args.fault_delay)


def _state_dir(args: argparse.Namespace, env: Any) -> Path:
    if args.state_dir is not None:
        return Path(args.state_dir)
    home = Path(env.get("HOME") or "~").expanduser()
    return Path(env.get("XDG_STATE_HOME") or home / ".local" / "state") / "sigv4-dataapi"


def build_settings(args: argparse.Namespace) -> ServeSettings:
    from sigv4_dataapi._server import server_settings as s

    return s.ServeSettings(
        region=args.region,
        flavor=args.flavor,
        limits=s.Limits(statement_timeout=args.statement_timeout),
        transactions=s.TransactionTimeouts(
            idle=args.transaction_idle_timeout, total=args.transaction_max_age
        ),
        pause=s.PauseSettings(
            pause_after=args.pause_after,
            resume_seconds=args.resume_seconds,
            start_paused=args.start_paused,
        ),
    )


def redact_url(url: str) -> str:
    """A database URL fit for output: the password replaced by ``****``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:****@{netloc[2]}"))


def _check_host(args: argparse.Namespace) -> None:
    if args.no_tls and args.host not in _LOOPBACK and not args.force:
        raise UsageError(
            f"--no-tls serves plain HTTP on loopback only; add --force to use {args.host}"
        )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from datetime import datetime, timezone

    from sigv4_dataapi._server.api import ops as _ops
    from sigv4_dataapi._server.auth import access as _access
    from sigv4_dataapi._server.backends import open_backend
    from sigv4_dataapi._server.http import server as _server
    from sigv4_dataapi._server.http import tls as _tls

    _check_host(args)
    faults = fault_plan(args)
    state = _state_dir(args, ctx.env)
    state.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds a private key
    settings = build_settings(args)
    database_url = args.database_url or f"sqlite://{(state / 'local.sqlite3').resolve()}"
    access = _access.load_config(args.config)
    api = _ops.DataApi(settings, access, database_url, opener=open_backend)
    engine = _engine(api, settings)
    if args.engine_info:
        api.close()
        print(json.dumps(engine), file=ctx.stdout, flush=True)
        return 0
    try:
        files = (
            None if args.no_tls else _tls.ensure_certificates(state, now=datetime.now(timezone.utc))
        )
    except BaseException:
        api.close()
        raise
    try:
        server = _server.DataApiServer(
            (args.host, args.port),
            _server.Dispatcher(api, log=ctx.stderr, faults=faults),
            tls=_tls.server_context(files) if files else None,
            verbose=args.verbose,
            max_connections=args.max_connections,
            request_s=args.request_timeout,
        )
    except OSError as exc:
        api.close()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    line = first_line(args.host, server.port, files.ca_file if files else None, settings)
    line["access_key_id"] = line["access_key_id"] if line["access_key_id"] in access.keys else None
    line["database_url"] = redact_url(database_url)
    line["engine"] = engine
    line["max_connections"] = args.max_connections
    if faults is not None:
        line.update(faults.describe())
    status = _serve(server, api, line, ctx)
    if faults is not None:  # what was injected, for the run's report
        print(json.dumps({"faults_injected": faults.counts}), file=ctx.stderr, flush=True)
    return status


def _engine(api: Any, settings: ServeSettings) -> dict[str, Any] | None:
    """The first line's ``"engine"``: the family the endpoint answers as, and the version."""
    from sigv4_dataapi._server import server_settings as _settings
    from sigv4_dataapi._server.backends.engine_info import engine_info

    backend = api.clusters.named_or_first(_settings.example_resource_arn(settings.region))
    return engine_info(backend).as_json() if backend is not None else None


def first_line(
    host: str, port: int, ca_file: Path | None, settings: ServeSettings
) -> dict[str, Any]:
    """What a client needs: where, which CA, which region and key id, example ARNs."""
    from sigv4_dataapi._server import server_settings as _settings

    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    host = f"[{host}]" if ":" in host else host
    return {
        "endpoint": f"{'https' if ca_file else 'http'}://{host}:{port}",
        "ca_file": str(ca_file) if ca_file else None,
        "region": settings.region,
        "access_key_id": _settings.DEV_ACCESS_KEY_ID,
        "resource_arn": _settings.example_resource_arn(settings.region),
        "secret_arn": _settings.example_secret_arn(settings.region),
        "flavor": settings.flavor,
        "pid": os.getpid(),
    }


def _serve(server: Any, api: Any, first_line: dict[str, Any], ctx: Context) -> int:
    from sigv4_dataapi._server.http.server import housekeeping

    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.start()
    keeper = housekeeping(api, stop)
    try:
        print(json.dumps(first_line), file=ctx.stdout, flush=True)
        stop.wait()
    finally:
        stop.set()
        server.shutdown()
        thread.join()
        keeper.join()
        server.server_close()
        api.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
