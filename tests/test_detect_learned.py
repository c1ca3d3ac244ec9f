"""The peer model (fitted on peer registrations), its signal, and the kind guess (ai / algorithm).

Small hand-written peer entries in the register's shape; no ../shared data needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import transforms.detect.peer_model as pm
from transforms.detect import detect_signals, fit_peer_model, guess_kinds, own_texts, score_mentions
from transforms.detect.vocabulary import spaced_series

_ENTRIES = [
    ("Parkeervergunningen", "Het algoritme bepaalt of een bewoner recht heeft op een parkeervergunning volgens de regels."),
    ("Toewijzing parkeervergunningen", "Beslisregels voor de wachtlijst van parkeervergunningen in betaald gebied."),
    ("WOZ-taxatiemodellen", "Modellen die de WOZ-waarde van woningen schatten op basis van verkoopprijzen."),
    ("Belastingen: WOZ taxatiemodellen", "Het berekenen van de marktwaarde van onroerende zaken voor de Wet WOZ."),
    ("Anonimiseren", "De anonimiseringssoftware herkent namen en persoonsgegevens in documenten voor publicatie."),
    ("Anonimiseringstool Octobox", "De tool zoekt persoonsgegevens in documenten en maakt ze onleesbaar."),
    ("Scanauto", "De scanauto leest kentekens met kentekenherkenning en controleert op parkeerrechten."),
    ("Parkeerhandhaving met scanauto", "Camera's lezen kentekens; het algoritme vergelijkt met betaalde parkeerrechten."),
    ("Zivver veilig mailen", "Het algoritme wijst verzenders op gevoelige informatie in een e-mail."),
    ("Veilig e-mailen", "Controle van e-mails op persoonsgegevens zoals BSN voor verzending."),
    ("Chatbot gemeentelijke website", "De chatbot beantwoordt vragen van inwoners met generatieve AI."),
    ("Virtuele assistent Gem", "De virtuele assistent begrijpt vragen van inwoners en helpt ze verder."),
    ("Legesberekening", "Leges worden berekend volgens de tarieven in de legesverordening."),
    ("Kwijtscheldingstoets", "Toets op inkomen en vermogen volgens de normen voor kwijtschelding."),
    ("Signaal inkomsten Box 1", "Het Inlichtingenbureau geeft een signaal bij inkomsten naast de bijstand."),
    ("Meldingen openbare ruimte", "Het algoritme bepaalt de categorie van een melding op basis van de meldingstekst."),
]


def _entries() -> pd.DataFrame:
    rows = []
    for i, (name, goal) in enumerate(_ENTRIES):
        for org in ("Gemeente Aa en Hunze", "Gemeente Zeist") if i % 2 == 0 else ("Gemeente Zeist",):
            rows.append({"name": name, "description_short": goal, "goal": goal, "organisation": org})
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def _fresh_cache():
    pm._CACHE.clear()
    yield
    pm._CACHE.clear()


def _p(model, *texts) -> np.ndarray:
    return model.probability(spaced_series(pd.Series(texts, dtype="object")))


def test_model_learns_registrations_against_procurement_vocabulary():
    model = fit_peer_model(_entries())
    assert model is not None and model.n_positive > 20 and model.n_negative > 4000
    reg, ordinary = _p(model, "Parkeervergunning", "Kantoorpapier A4 en enveloppen")
    assert reg > 0.5 > ordinary


def test_model_is_deterministic_and_none_without_enough_peers():
    a = _p(fit_peer_model(_entries()), "WOZ taxatie", "Schoonmaak")
    pm._CACHE.clear()
    b = _p(fit_peer_model(_entries()), "WOZ taxatie", "Schoonmaak")
    assert np.array_equal(a, b)
    assert fit_peer_model(_entries().head(3)) is None and fit_peer_model(None) is None


def test_explanation_names_weighty_words_and_nearest_registrations():
    model = fit_peer_model(_entries())
    (why,) = model.explain(spaced_series(pd.Series(["Parkeervergunningen aanvragen"])))
    assert "woorden die zwaar wogen" in why and "'parkeervergunningen'" in why
    assert "lijkt op 'Parkeervergunningen' van Gemeente Aa en Hunze en Gemeente Zeist" in why


def test_a_ledger_text_used_for_fitting_is_scored_by_the_other_fold():
    ledger = pd.Series([f"levering kantoorartikelen order {i}" for i in range(40)] + ["huur parkeervergunningen systeem"])
    model = fit_peer_model(_entries(), ledger=own_texts(pd.DataFrame(
        {"source_type": "spend_ledger", "title": ledger})))
    assert len(model.classifiers) == 2
    texts = pd.Series(sorted(model.held_out[0])[:1] + sorted(model.held_out[1])[:1] + ["iets nieuws"], dtype="object")
    w = model._fold_weights(texts)
    assert w[0].tolist() == [0.0, 1.0] and w[1].tolist() == [1.0, 0.0] and w[2].tolist() == [0.5, 0.5]


def test_peer_model_signal_makes_a_title_alone_a_candidate_with_a_dutch_reason():
    model = fit_peer_model(_entries())
    mentions = pd.DataFrame({"source_key": ["a", "b"], "source_type": "spend_ledger",
                             "title": ["Scanauto parkeerhandhaving", "Levering bureaustoelen"]})
    signals = detect_signals(mentions, None, peer_model=model)
    learned = signals[signals["kind"] == "peer_model"]
    assert set(learned["source_key"]) == {"a"}
    assert learned["reason"].iloc[0].startswith("lijkt op wat andere organisaties als algoritme registreren")
    scored = score_mentions(mentions, signals)
    assert scored["is_candidate"].tolist() == [True, False]
    without = score_mentions(mentions, detect_signals(mentions, None))
    assert without["ai_score"].iloc[1] == scored["ai_score"].iloc[1]


def test_kind_guess_from_text_signals_and_nearest_registration():
    model = fit_peer_model(_entries())
    mentions = pd.DataFrame({
        "source_key": ["k1", "k2", "k3", "k4"], "source_type": "file",
        "title": ["Kentekenherkenning autoluwe binnenstad", "Legesberekening omgevingsvergunning volgens de tarieven",
                  "Anonimiseringstool Octobox licentie", "Rekenmodule bijzondere bijstand"],
        "description": [None, None, None, None]})
    k = guess_kinds(mentions, None, model).set_index("source_key")
    assert k.loc["k1", "kind"] == "ai" and "kentekenherk" in k.loc["k1", "kind_reason"]
    assert k.loc["k2", "kind"] == "algorithm" and k.loc["k2", "kind_reason"].startswith("algoritme zonder AI")
    assert k.loc["k3", "kind"] == "ai"
    assert k.loc["k4", "kind"] == "algorithm"
    silent = pd.DataFrame({"source_key": ["s"], "source_type": "file", "title": ["Octobox"]})
    s = guess_kinds(silent, None, model).iloc[0]
    assert s["kind"] == "ai" and "lijkt op de registratie" in s["kind_reason"]


def test_kind_guess_uses_ai_only_signals_and_defaults_to_algorithm():
    mentions = pd.DataFrame({"source_key": ["v", "n"], "source_type": "survey", "title": ["Vera", "Systeem X"]})
    signals = pd.DataFrame({"source_key": ["v"], "kind": ["self_declared"], "detail": ["ja"], "weight": [0.9],
                            "reason": ["afdeling meldt in de uitvraag dat dit AI gebruikt ('Ja')"]})
    k = guess_kinds(mentions, signals, None).set_index("source_key")
    assert k.loc["v", "kind"] == "ai" and "uitvraag" in k.loc["v", "kind_reason"]
    assert k.loc["n", "kind"] == "algorithm" and "geen aanwijzing voor AI" in k.loc["n", "kind_reason"]


def test_score_table_adds_kind_for_candidates_only():
    from transforms.classify.table import score_table

    df = pd.DataFrame({"Omschrijving": ["Scanauto parkeerhandhaving", "Levering bureaustoelen",
                                        "Legesberekening omgevingsvergunning"]})
    out = score_table(df, "Omschrijving", peer_model=fit_peer_model(_entries()))
    assert list(out["Omschrijving"]) == list(df["Omschrijving"])
    assert {"ai_score", "is_candidate", "reasons", "kind", "kind_reason", "ai_act_class",
            "publication_category"} <= set(out.columns)
    assert out["is_candidate"].tolist() == [True, False, True]
    assert out.loc[0, "kind"] == "ai" and out.loc[2, "kind"] == "algorithm"
    assert pd.isna(out.loc[1, "kind"]) and "lijkt op" in out.loc[2, "reasons"]
