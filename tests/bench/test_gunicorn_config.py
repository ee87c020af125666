"""Every server of the benchmark, the peers included, starts from one gunicorn configuration
(bench/socle_bench/servers.py): it must name nothing the peers' virtualenvs cannot import."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from socle_bench.servers import write_gunicorn_config  # noqa: E402


def test_it_names_no_socle_module_the_peers_would_fail_to_import(tmp_path: Path) -> None:
    config = write_gunicorn_config(8000, tmp_path / "gunicorn.conf.py")
    values = {
        target.id: ast.literal_eval(node.value)
        for node in ast.parse(config.read_text()).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert values["bind"] == ["127.0.0.1:8000"]
    modules = [key for key, value in values.items() if str(value).startswith("socle.")]
    assert modules == []  # e.g. logger_class = "socle.core.access_log.Logger"
