"""The vector harness: AWS's suites pass with the exact counts, failures are reported well."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from sigv4_dataapi._cli.main import main
from sigv4_dataapi._sigv4.vectors import harness as _vectors

REPO = Path(__file__).resolve().parent.parent
VECTORS = REPO.parent / "shared" / "vectors"
FIXTURES = REPO / "fixtures" / "vectors"
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_dir(), reason=f"AWS test vectors not found at {VECTORS} (../shared is absent)"
)


def _run(*paths: Path | str, verbose: bool = False) -> tuple[int, list[str]]:
    out = io.StringIO()
    argv = ["vectors", *(str(p) for p in paths), *(["-v"] if verbose else [])]
    status = main(argv, stdout=out, stderr=io.StringIO())
    return status, out.getvalue().splitlines()


@needs_vectors
def test_shared_vectors_all_pass_with_the_exact_count() -> None:
    status, lines = _run(VECTORS)
    assert lines[-1] == "186 passed, 0 failed"
    assert status == 0
    assert not [line for line in lines if line.startswith(("FAIL", "SKIP"))]


@needs_vectors
@pytest.mark.parametrize(
    ("folder", "summary"),
    [
        ("v4", "76 passed, 0 failed"),
        ("v4a", "76 passed, 0 failed"),
        ("legacy-aws4_testsuite", "34 passed, 0 failed"),
        ("extra-smithy-rs", "2 passed, 0 failed"),
    ],
)
def test_each_suite_counts(folder: str, summary: str) -> None:
    status, lines = _run(VECTORS / folder)
    assert (status, lines[-1]) == (0, summary)


@needs_vectors
def test_counting_units_are_case_and_mode() -> None:
    cases = _vectors.load_all([VECTORS])
    modes = {case.name: case.modes for case in cases}
    assert modes["v4/get-vanilla"] == ("header", "query")
    assert modes["legacy-aws4_testsuite/get-vanilla"] == ("header",)
    names = set(modes)
    assert "v4a/get-vanilla-query-order-key" not in names  # no expected files: not a case
    assert len(cases) == 38 + 38 + 34


@needs_vectors
def test_partial_cases_are_left_out_with_a_note_under_a_suite_root() -> None:
    _, lines = _run(VECTORS)
    assert lines[0].startswith("note: 2 partial case(s) without context.json left out")
    assert "extra-smithy-rs/v4/double-encode-path" in lines[0]


@needs_vectors
def test_a_wrong_expectation_fails_with_stage_and_diff(tmp_path: Path) -> None:
    case = tmp_path / "get-vanilla"
    shutil.copytree(VECTORS / "v4" / "get-vanilla", case)
    creq = case / "header-canonical-request.txt"
    creq.write_text(creq.read_text().replace("host:example", "host:other"))
    status, lines = _run(tmp_path)
    assert status == 1
    assert lines[-1] == "1 passed, 1 failed"
    fail = lines.index("FAIL get-vanilla [header]: canonical request")
    diff = "\n".join(lines[fail:])
    assert "-    host:other.amazonaws.com" in diff.replace("    -", "-    ")
    assert "+host:example.amazonaws.com" in diff.replace(" ", "")


@needs_vectors
def test_a_wrong_signature_is_reported_at_the_signature_stage(tmp_path: Path) -> None:
    case = tmp_path / "post-vanilla"
    shutil.copytree(VECTORS / "v4" / "post-vanilla", case)
    (case / "query-signature.txt").write_text("0" * 64)
    status, lines = _run(tmp_path)
    assert (status, lines[-1]) == (1, "1 passed, 1 failed")
    assert "FAIL post-vanilla [query]: signature" in lines
    assert "FAIL post-vanilla [query]: canonical request" not in lines


@needs_vectors
def test_a_bad_v4a_signature_in_the_harness_is_caught(tmp_path: Path) -> None:
    case = tmp_path / "get-vanilla"
    shutil.copytree(VECTORS / "v4a" / "get-vanilla", case)
    (case / "public-key.json").write_text('{"X": "01", "Y": "02"}')
    status, lines = _run(tmp_path)
    assert status == 1
    assert "FAIL get-vanilla [header]: public key" in lines


def test_running_zero_cases_fails(tmp_path: Path) -> None:
    status, lines = _run(tmp_path)
    assert (status, lines[-1]) == (1, "0 passed, 0 failed")


def test_a_missing_path_is_a_usage_error() -> None:
    err = io.StringIO()
    status = main(["vectors", "/no/such/vectors"], stdout=io.StringIO(), stderr=err)
    assert status == 2
    assert err.getvalue().strip() == "sigv4-dataapi: no such path: /no/such/vectors"


@needs_vectors
def test_missing_cryptography_skips_v4a_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from sigv4_dataapi._errors import MissingDependencyError
    from sigv4_dataapi._sigv4 import v4a as _sigv4a

    def missing() -> None:
        raise MissingDependencyError("SigV4a signing", "crypto", "cryptography")

    monkeypatch.setattr(_sigv4a, "_ec", missing)
    monkeypatch.setattr(_sigv4a, "PRIVATE_KEYS", _sigv4a._KeyCache())
    status, lines = _run(VECTORS / "v4a" / "get-vanilla", VECTORS / "v4" / "get-vanilla")
    assert lines[-1] == "2 passed, 0 failed, 2 skipped"
    assert status == 0
    skips = [line for line in lines if line.startswith("SKIP")]
    assert len(skips) == 2
    assert all("pip install 'sigv4-dataapi[crypto]'" in line for line in skips)


def test_project_fixtures_pass() -> None:
    status, lines = _run(FIXTURES, verbose=True)
    assert lines[-1] == "4 passed, 0 failed"
    assert status == 0


def test_request_parser_unfolds_and_keeps_raw_values() -> None:
    raw = b"GET /a b/?x=1 HTTP/1.1\r\nHost:h\r\nX: v1\r\n  v2\r\nX:v3\r\n\r\nbody"
    request = _vectors.parse_request(raw)
    assert request.method == "GET"
    assert request.target == "/a b/?x=1"
    assert request.headers == (("Host", "h"), ("X", " v1 v2"), ("X", "v3"))
    assert request.body == b"body"


@needs_vectors
def test_the_known_upstream_defect_is_named_not_hidden() -> None:
    _, lines = _run(VECTORS / "legacy-aws4_testsuite" / "get-vanilla-with-session-token")
    assert lines[-1] == "1 passed, 0 failed"
    assert any("signatures masked" in line and "5fa00fa3" in line for line in lines)


@needs_vectors
def test_an_unreadable_case_is_one_failure_not_a_crash(tmp_path: Path) -> None:
    case = tmp_path / "broken"
    shutil.copytree(VECTORS / "v4" / "get-vanilla", case)
    (case / "context.json").write_text("{not json")
    status, lines = _run(tmp_path)
    assert (status, lines[-1]) == (1, "0 passed, 1 failed")
    assert "FAIL broken [header]: load" in lines


@needs_vectors
def test_a_partial_case_with_an_unknown_key_fails_clearly(tmp_path: Path) -> None:
    case = tmp_path / "v4" / "double-encode-path"
    shutil.copytree(VECTORS / "extra-smithy-rs" / "v4" / "double-encode-path", case)
    signed = case / "header-signed-request.txt"
    signed.write_text(signed.read_text().replace("ANOTREAL", "AKIDUNKNOWN"))
    status, lines = _run(tmp_path)
    assert status == 1
    assert any("no published test secret for access key 'AKIDUNKNOWN'" in line for line in lines)


@needs_vectors
def test_v4a_signed_request_is_still_checked_around_the_masked_signature(tmp_path: Path) -> None:
    case = tmp_path / "get-vanilla"
    shutil.copytree(VECTORS / "v4a" / "get-vanilla", case)
    signed = case / "header-signed-request.txt"
    signed.write_text(signed.read_text().replace("SignedHeaders=host;", "SignedHeaders=hos;"))
    status, lines = _run(tmp_path)
    assert (status, lines[-1]) == (1, "1 passed, 1 failed")
    assert "FAIL get-vanilla [header]: signed request" in lines
