"""``scripts/bench sign``: sign_request vs botocore's SigV4Auth.add_auth, and the hash floor.

The request is a typical ExecuteStatement: POST /Execute, JSON body of about
300 bytes, Content-Type, session token. Both signers read the clock on every
call (botocore does it inside ``add_auth``; we call ``datetime.now`` as
``SigV4Auth`` does). The floor is the hashlib/hmac calls a SigV4 signature
cannot avoid once the signing key is cached: SHA-256 of the body, SHA-256 of
the canonical request, HMAC-SHA256 of the string to sign. Rounds interleave
the three (order rotated) so drift hits all alike; the best round of each is
reported, and each ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone

NEEDS = ("botocore",)  # peers, checked by scripts/bench first

URL = "https://rds-data.us-east-1.amazonaws.com/Execute"
REGION = "us-east-1"
SERVICE = "rds-data"
ACCESS_KEY = "ASIAEXAMPLEEXAMPLE12"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE" + "x" * 300 + "EXAMPLE=="


def request_body() -> bytes:
    document = {
        "resourceArn": "arn:aws:rds:us-east-1:123456789012:cluster:my-aurora-cluster",
        "secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-db-secret-AbCdEf",
        "database": "app",
        "sql": "SELECT id, name FROM users WHERE id = :id",
        "parameters": [{"name": "id", "value": {"longValue": 42}}],
    }
    return json.dumps(document).encode("utf-8")


def ours(body: bytes) -> Callable[[], object]:
    from sigv4_dataapi import Credentials, sign_request

    creds = Credentials(ACCESS_KEY, SECRET, TOKEN)
    headers = {"Content-Type": "application/json"}

    def run() -> object:
        return sign_request(
            "POST", URL, headers=headers, body=body, credentials=creds, region=REGION,
            service=SERVICE, now=datetime.now(timezone.utc),
        )  # fmt: skip

    return run


def botocore_signer(body: bytes) -> Callable[[], object]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = SigV4Auth(Credentials(ACCESS_KEY, SECRET, TOKEN), SERVICE, REGION)
    request = AWSRequest("POST", URL, headers={"Content-Type": "application/json"}, data=body)

    def run() -> object:
        auth.add_auth(request)  # removes the previous attempt's headers first
        return request

    return run


def floor(body: bytes) -> Callable[[], object]:
    """The three hash calls alone, on inputs of the real sizes (key already derived)."""
    from sigv4_dataapi import Credentials, sign_request

    sample = sign_request(
        "POST", URL, headers={"Content-Type": "application/json"}, body=body,
        credentials=Credentials(ACCESS_KEY, SECRET, TOKEN), region=REGION, service=SERVICE,
        now=datetime.now(timezone.utc),
    )  # fmt: skip
    creq = sample.canonical_request.encode("utf-8")
    sts = sample.string_to_sign.encode("utf-8")
    key = hashlib.sha256(b"signing key").digest()
    sha256 = hashlib.sha256

    def run() -> object:
        sha256(body).hexdigest()
        sha256(creq).hexdigest()
        return hmac.new(key, sts, sha256).hexdigest()

    return run


def per_call(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench sign", description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--number", type=int, default=1000, help="calls per round per signer")
    args = parser.parse_args(argv)
    body = request_body()
    signers = {"sigv4-dataapi": ours(body), "botocore": botocore_signer(body),
               "floor": floor(body)}  # fmt: skip
    for fn in signers.values():
        fn()  # warm caches (signing key, request plan) as in a running client
    rounds: list[dict[str, float]] = []
    names = list(signers)
    for i in range(args.rounds):
        order = names[i % 3 :] + names[: i % 3]  # rotate so no signer always goes first
        rounds.append({name: per_call(signers[name], args.number) for name in order})
    best = {name: min(r[name] for r in rounds) for name in names}
    vs_botocore = statistics.median(r["botocore"] / r["sigv4-dataapi"] for r in rounds)
    vs_floor = statistics.median(r["sigv4-dataapi"] / r["floor"] for r in rounds)
    print(f"request: POST /Execute, {len(body)}-byte body, session token, Content-Type")
    print(f"rounds: {args.rounds} x {args.number} calls each, interleaved (order rotated)")
    print("floor: sha256(body) + sha256(canonical request) + hmac.new(key, string to sign)")
    for name, seconds in best.items():
        print(f"  {name:<14} {seconds * 1e6:8.2f} us/call (best round)")
    print("ratios: median of the per-round ratios (robust to a busy machine)")
    print(f"botocore / sigv4-dataapi: {vs_botocore:.1f}x faster (target >= 8x)")
    print(f"sigv4-dataapi / floor:    {vs_floor:.2f}x the hash floor (target <= 2x)")
    return 0
