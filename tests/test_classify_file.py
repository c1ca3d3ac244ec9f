"""``aigrip classify FILE --config F`` scores with what the configured run learned from its peers."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from pipelines.classify_file import _learned
from pipelines.cli import app
from pipelines.config import load_config
from warehouse import snapshot_connect


def test_classify_with_config_uses_the_runs_peer_model_and_guesses_the_kind(demo_run, tmp_path):
    cfg = load_config(demo_run)
    kb, model = _learned(cfg)
    assert kb is not None and len(kb) and model is not None and model.n_positive > 0
    with snapshot_connect(cfg.data_dir) as con:
        names = [r[0] for r in con.execute(
            "SELECT DISTINCT name FROM peer_register_entries WHERE length(name) > 8 ORDER BY name LIMIT 4").fetchall()]
    src = tmp_path / "applicaties.csv"
    pd.DataFrame({"Naam": names + ["Levering kantoorpapier", "Chatbot op de website met generatieve AI"]}).to_csv(
        src, sep=";", index=False)
    out = tmp_path / "uit.csv"
    res = CliRunner().invoke(app, ["classify", str(src), "--text-column", "Naam", "--config", str(demo_run),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False)
    assert list(df["Naam"]) == names + ["Levering kantoorpapier", "Chatbot op de website met generatieve AI"]
    assert {"ai_score", "is_candidate", "reasons", "kind", "kind_reason", "ai_act_class",
            "publication_category"} <= set(df.columns)
    peers = df.iloc[: len(names)]
    assert peers["is_candidate"].astype(str).eq("True").sum() >= len(names) - 1
    assert peers["reasons"].str.contains("lijkt op").any()
    assert df.iloc[-1]["kind"] == "ai" and df.iloc[-2]["kind"] == ""
    assert set(df.loc[df["is_candidate"].astype(str) == "True", "kind"]) <= {"ai", "algorithm"}
