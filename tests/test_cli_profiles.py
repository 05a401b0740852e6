"""The command line of issue 12 (item 4), run as subprocesses on both twins: ``validate`` names
the scheme(s) of a code (``jpqr.classify``), ``--profile`` takes every registered profile,
``jpqr profiles`` lists them, ``jpqr tags --profile NAME`` and the shell completion know them.

Every registered profile is tried (the national ones appear as they are merged), and a test-only
one, ``napas-test`` (tests/napas_profile.py, run as ``python -m tests.napas_profile``), shows that a
new profile reaches the command line without code changes. Expected values come from the
published payloads (read by hand: their templates and GUIDs are in the text), SPEC.md (§3, §4)
and the contract of issue 12, never from jpqr's output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import jpqr
from jpqr.cli import main
from jpqr.profiles import PROFILES
from jpqr.profiles._classify import Classification, MerchantAccount
from jpqr.report import Issue

from .napas_profile import NAPAS_DYNAMIC, NAPAS_SPEC
from .test_cli import (
    EMVCO_EXAMPLE,
    JPQR_SAMPLE,
    WRONG_INIT_CRC,
    codes,
    json_lines,
    run_jpqr,
    twin,
    twin_env,
)
from .test_cli_commands import bash_complete, completion

__all__ = ["twin"]  # the fixture, shared with test_cli

ROOT = Path(__file__).parent.parent


def run_napas(twin: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line with the test-only profile napas-test registered."""
    return subprocess.run(
        [sys.executable, "-m", "tests.napas_profile", *args],
        capture_output=True,
        env=twin_env(twin),
        cwd=ROOT,
        timeout=120,
        check=False,
        text=True,
        encoding="utf-8",
    )


# --- validate names the scheme ------------------------------------------------------------------


def test_validate_prints_the_scheme_under_the_verdict(twin: str) -> None:
    done = run_jpqr(twin, "validate", JPQR_SAMPLE)
    assert done.returncode == 0, done.stderr
    head, scheme, *rest = done.stdout.splitlines()
    assert head == "payload: valid (profile jpqr, CRC ok)"
    # Its template 26 carries jp.or.paymentsjapan (SPEC §4); 01 = 11: static (SPEC §3).
    assert scheme.startswith("  scheme: JPQR") and scheme.endswith(", static")
    assert rest == []


def test_validate_prints_no_scheme_for_a_plain_emvco_code(twin: str) -> None:
    # The EMVCo example: 29 and 31 carry D156... AIDs, which mark no scheme of issue 12.
    done = run_jpqr(twin, "validate", EMVCO_EXAMPLE)
    assert done.returncode == 0, done.stderr
    assert "scheme" not in done.stdout


def test_validate_json_carries_the_classification(twin: str) -> None:
    done = run_jpqr(twin, "validate", "--json", JPQR_SAMPLE, WRONG_INIT_CRC)
    assert done.returncode == 1
    jpqr_record, emvco_record = json_lines(done.stdout)
    assert jpqr_record["classification"] == {
        "schemes": ["jpqr"],
        "profile": "jpqr",
        "dynamic": False,  # 01 = 11
        "expires": None,  # JPQR carries no expiry
        # The merchant account templates as the payload holds them, in its order.
        "accounts": [
            {"id": "29", "guid": "D15600000000", "scheme": None},
            {"id": "31", "guid": "D15600000001", "scheme": None},
            {"id": "26", "guid": "jp.or.paymentsjapan", "scheme": "jpqr"},
        ],
        "warnings": [],
    }
    assert jpqr_record["profile"] == jpqr_record["classification"]["profile"]  # auto
    classification = emvco_record["classification"]
    assert (classification["schemes"], classification["profile"]) == ([], "emvco")
    assert classification["dynamic"] is True  # the EMVCo example is dynamic (01 = 12)


def test_validate_a_code_of_a_new_profile(twin: str) -> None:
    # NAPAS §6.1's dynamic example: 38 carries A000000727, no 52, 59 or 60.
    done = run_napas(twin, "validate", "--json", "--profile", "napas-test", NAPAS_DYNAMIC)
    assert done.returncode == 0, done.stderr
    [record] = json_lines(done.stdout)
    assert (record["valid"], record["profile"]) == (True, "napas-test")
    assert record["classification"]["schemes"] == ["napas-test"]
    assert record["classification"]["dynamic"] is True
    assert record["classification"]["accounts"] == [
        {"id": "38", "guid": "A000000727", "scheme": "napas-test"}
    ]
    emvco = run_napas(twin, "validate", "--json", "--profile", "emvco", NAPAS_DYNAMIC)
    [record] = json_lines(emvco.stdout)
    # EMVCo keeps its own verdict: 52, 59 and 60 are mandatory there (SPEC §3).
    assert codes(record["errors"]) == ["field.missing"] * 3
    text = run_napas(twin, "validate", "--profile", "napas-test", NAPAS_DYNAMIC)
    assert text.stdout.splitlines()[1] == "  scheme: NAPAS test profile (Vietnam), dynamic"


def test_a_near_miss_is_shown_under_a_forced_profile_too(
    impl: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # classify's near-miss warnings come with issue 12's classify; here one is made up, to hold
    # the command line to showing it once, in text and JSON, whichever profile is forced.
    near = Issue("scheme.near_miss", "26.00", 24, "expected a known GUID, found a near miss")
    made_up = Classification((), "emvco", True, None, (MerchantAccount("29", "x", None),), (near,))
    monkeypatch.setattr(jpqr, "classify", lambda payload: made_up)
    monkeypatch.setattr(jpqr.api, "classify", lambda payload: made_up)  # the renderer's
    assert main(["validate", "--profile", "emvco", EMVCO_EXAMPLE]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "payload: valid (profile emvco, CRC ok, 1 warning)"
    assert lines[1] == "  scheme: none recognised, dynamic"
    assert lines[2] == "  warning scheme.near_miss at ID 26.00, offset 24"
    assert main(["validate", "--json", EMVCO_EXAMPLE]) == 0
    [record] = json_lines(capsys.readouterr().out)
    assert record["classification"]["warnings"] == [near.to_dict()]


# --- --profile ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_validate_takes_every_registered_profile(twin: str, name: str) -> None:
    done = run_jpqr(twin, "validate", "--json", "--profile", name, EMVCO_EXAMPLE)
    assert done.returncode in (0, 1), done.stderr
    [record] = json_lines(done.stdout)
    assert record["profile"] == name


def test_profile_choices_and_help_come_from_the_registry(twin: str) -> None:
    for command in ("validate", "scan", "build", "tags"):
        done = run_napas(twin, command, "--help")
        assert done.returncode == 0, done.stderr
        text = " ".join(done.stdout.split())
        assert "napas-test (NAPAS test profile (Vietnam))" in text
        assert all(f"{name} (" in text for name in PROFILES)
    refused = run_jpqr(twin, "validate", "--profile", "no-such-scheme", JPQR_SAMPLE)
    assert refused.returncode == 2 and "invalid choice" in refused.stderr
    assert "'jpqr'" in refused.stderr  # argparse names the choices


def test_build_under_a_new_profile(twin: str, tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({k: v for k, v in NAPAS_SPEC.items() if k != "profile"}))
    done = run_napas(twin, "build", "--profile", "napas-test", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == NAPAS_DYNAMIC + "\n"  # NAPAS §6.1, as published
    refused = run_jpqr(twin, "build", "--profile", "emvco", str(path))
    assert refused.returncode == 1
    assert "[field.missing] expected ID 52" in refused.stderr


# --- jpqr profiles ------------------------------------------------------------------------------


def napas_json(twin: str, *args: str) -> Any:
    """What a ``--json`` command prints, with the test-only profile registered."""
    done = run_napas(twin, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_profiles_json_lists_every_profile(twin: str) -> None:
    found = {entry["name"]: entry for entry in napas_json(twin, "profiles")}
    assert list(found) == [*PROFILES, "napas-test"]
    # SPEC §4: JPQR's GUID in any of 26-51, country JP.
    assert found["jpqr"]["country"] == "JP"
    assert found["jpqr"]["guids"] == [{"guid": "JP.OR.PAYMENTSJAPAN", "templates": "26-51"}]
    assert found["jpqr"]["sources"] and found["jpqr"]["departures"]
    assert found["emvco"]["country"] is None and found["emvco"]["guids"] == []
    assert "EMV" in found["emvco"]["sources"][0]
    assert found["napas-test"]["guids"] == [{"guid": "A000000727", "templates": "38"}]
    assert found["napas-test"]["departures"] == ["52, 59, 60 optional"]
    for entry in found.values():
        assert set(entry) == {"name", "title", "country", "guids", "legacy", "sources"} | {
            "departures"
        }


def test_profiles_text(twin: str) -> None:
    done = run_napas(twin, "profiles")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    heads = [line.partition(":")[0] for line in lines if line and not line.startswith((" ", "("))]
    assert heads == [*PROFILES, "napas-test"]
    assert "  GUIDs: A000000727 in 38" in lines
    assert "  departures from EMVCo: 52, 59, 60 optional" in lines
    assert "(elqr: no profile;" in done.stdout  # eL-QR: no specification reachable (issue 12)


# --- tags --profile -----------------------------------------------------------------------------


def tags(twin: str, profile: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in napas_json(twin, "tags", "--profile", profile)}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_tags_for_every_registered_profile(twin: str, name: str) -> None:
    rows = tags(twin, name)
    assert rows["00"]["presence"] == rows["63"]["presence"] == "M"  # every profile (SPEC §1)
    assert "62.05" in rows


def test_tags_presence_is_the_profiles(twin: str) -> None:
    emvco, jpqr_rows, napas = tags(twin, "emvco"), tags(twin, "jpqr"), tags(twin, "napas-test")
    # SPEC §3: 52, 59, 60 M and 61, 64 O in EMVCo; SPEC §4: JPQR makes 61 and 64 mandatory;
    # NAPAS Bảng 1: 01 and 38 M, 52, 59, 60 O.
    found = [emvco[i]["presence"] for i in ("01", "52", "59", "60", "61", "64")]
    assert found == ["O", "M", "M", "M", "O", "O"]
    assert [jpqr_rows[i]["presence"] for i in ("61", "64")] == ["M", "M"]
    assert [napas[i]["presence"] for i in ("01", "52", "59", "60")] == ["M", "O", "O", "O"]
    assert napas["26-37"]["presence"] == "O" and napas["38"]["presence"] == "M"


def test_tags_text_says_where_the_schemes_guid_goes(twin: str) -> None:
    done = run_napas(twin, "tags", "--profile", "napas-test")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "NAPAS test profile (Vietnam): template 38 whose 00 is A000000727"
    )


# --- completion ---------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_the_profiles_command_and_names(twin: str, tmp_path: Path) -> None:
    script = completion(twin, "bash", tmp_path)

    def complete(*words: str) -> list[str]:
        return bash_complete(script, *words)

    assert complete("pro") == ["profiles"]
    assert complete("profiles", "--j") == ["--json"]
    assert sorted(complete("validate", "--profile", "")) == sorted(["auto", *PROFILES])
    assert sorted(complete("tags", "--profile", "")) == sorted(PROFILES)
    assert sorted(complete("build", "--profile", "")) == sorted(PROFILES)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_know_the_profiles_command(twin: str, shell: str, tmp_path: Path) -> None:
    text = completion(twin, shell, tmp_path).read_text()
    assert "profiles" in text and all(name in text for name in PROFILES)
