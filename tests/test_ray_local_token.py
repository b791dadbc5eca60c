"""The local Ray runtime that ``serve --replicas`` and ``batch --engine ray`` start requires a random token.

Ray's local runtime is kept on 127.0.0.1 (ray_cluster.keep_local_runtime_on_loopback), which every user of
the machine reaches; without a token any of them could run code as the server (see docs/web.md). A
driver that joins it is started with the same loopback switch, as the runtime's own processes are. Each case runs in a fresh interpreter, because Ray reads
its authentication settings when it is first imported.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from summarize.ray_cluster import LOOPBACK_VARIABLE

CHECK = (
    "import os; from summarize.ray_cluster import require_token_for_local_runtime as require; "
    "print(require(), os.environ.get('RAY_AUTH_MODE'), len(os.environ.get('RAY_AUTH_TOKEN', '')))"
)
RUNTIME = """
import os, sys
from summarize.ray_cluster import connect, require_token_for_local_runtime
require_token_for_local_runtime()
import ray
connect(ray, verbose=False)
print(ray.get_runtime_context().gcs_address, os.environ["RAY_AUTH_TOKEN"], flush=True)
sys.stdin.read()
ray.shutdown()
"""
JOIN = """
import sys, ray
try:
    ray.init(address=sys.argv[1], logging_level="ERROR")
except Exception as error:  # Ray gives the refused token as the text of the error's cause
    causes = []
    while error is not None:
        causes.append(f"{type(error).__name__}: {error}")
        error = error.__cause__
    print("refused", any("AuthenticationError" in cause for cause in causes))
else:
    print("joined", ray.cluster_resources().get("CPU", 0) > 0)
"""


def _environment(**extra: str) -> dict[str, str]:
    """This process's environment without Ray's variables, plus `extra`."""
    return {name: value for name, value in os.environ.items() if not name.startswith("RAY_")} | extra


@pytest.mark.parametrize(
    ("extra", "imported_first", "expected"),
    [
        ({}, "", "True token 64"),
        ({"RAY_ADDRESS": "local"}, "", "True token 64"),
        ({"RAY_ADDRESS": "10.0.0.5:6379"}, "", "False None 0"),  # a cluster's own authentication applies
        ({"RAY_AUTH_MODE": "disabled"}, "", "False disabled 0"),  # the user's choice stands
        ({}, "import ray; ", "False None 0"),  # too late: Ray read its settings on import
    ],
)
def test_the_token_is_set_only_for_a_local_runtime_before_ray_is_imported(
    extra: dict[str, str], imported_first: str, expected: str
) -> None:
    if imported_first:
        pytest.importorskip("ray")
    shown = subprocess.run(
        [sys.executable, "-c", imported_first + CHECK], capture_output=True, text=True, env=_environment(**extra), timeout=120
    )
    assert shown.stdout.strip() == expected, shown.stderr


def test_the_local_runtime_refuses_a_client_without_its_token() -> None:
    pytest.importorskip("ray")
    runtime = subprocess.Popen(
        [sys.executable, "-c", RUNTIME], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_environment()
    )
    try:
        assert runtime.stdout is not None
        address, token = runtime.stdout.readline().split()

        def join(**auth: str) -> str:
            shown = subprocess.run(
                [sys.executable, "-c", JOIN, address], capture_output=True, text=True, env=_environment(**{LOOPBACK_VARIABLE: "0"}, **auth), timeout=300
            )
            return shown.stdout.strip()

        assert join(RAY_AUTH_MODE="disabled") == "refused True"  # refused for its missing token
        assert join(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=token) == "joined True"
    finally:
        runtime.communicate("", timeout=120)
