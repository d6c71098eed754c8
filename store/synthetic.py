"""Deterministic synthetic catalogs of any size, for benchmarks (docs/snapshot-format.md).

``build_synthetic(artifacts, seed)`` returns a snapshot document (format version 1) shaped like a
busy MLflow catalog. At 100k artifacts:

- 4% models, 12% deployments, 6% datasets, 39% model versions, 39% runs;
- ~500k facts: runs carry ~6 params, ~4 metrics and ~3 tags (always ``mlflow.source.git.commit``),
  models carry the ownership tags ``owner``, ``team`` and ``risk_tier``;
- ~300k edges: datasets ``trained_on``/``evaluated_on`` runs, runs ``produced`` versions, versions
  are ``version_of`` models and ``serves`` deployments, datasets are ``derived_from`` datasets
  (at most three tiers deep), and each version's training run was mostly ``initialized_from`` the
  model's previous version. That warm-start chain makes lineage deep: walking upstream from a
  model's production deployment passes deployment -> version -> run -> previous version -> run ...
- ~2,000 people over ~60 teams; every model has a primary owner (some with a handed-off
  predecessor), ~80% a backup; every dataset a data steward;
- alias history: 1-4 contiguous positions per deployment, the open one matching its ``serves``
  edge (some histories end in a rollback).

Model names combine word lists (``fraud-scorer-eu-0042``) with skewed weights, so 1-8 character
name prefixes match very different numbers of rows (``f`` matches thousands at 100k).

The same (artifacts, seed) always gives the same document. CLI::

    python -m store.synthetic --artifacts 100000 [--seed 7] OUT.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

FORMAT = "model-steward/snapshot"
VERSION = 1
EXPORTED_AT = "2026-11-20T06:00:00Z"
_EXPORT = int(datetime(2026, 11, 20, 6, 0, 0, tzinfo=UTC).timestamp())
_HOUR = 3600
_DAY = 86400

SHARES = {"model": 0.04, "deployment": 0.12, "dataset": 0.06, "model_version": 0.39}  # runs: rest
MIN_ARTIFACTS = 25

# --- word lists ---------------------------------------------------------------------------------

# Domains in rough popularity order; weights fall off with rank, so prefixes are skewed.
DOMAINS = (
    "fraud",
    "churn",
    "credit",
    "search",
    "forecast",
    "demand",
    "ads",
    "price",
    "chargeback",
    "recs",
    "spam",
    "risk",
    "feed",
    "freight",
    "ltv",
    "eta",
    "checkout",
    "supply",
    "payments",
    "intent",
    "ranking",
    "promo",
    "toxicity",
    "routing",
    "fulfillment",
    "chat",
    "kyc",
    "aml",
    "claims",
    "lead",
    "device",
    "sentiment",
    "ocr",
    "speech",
    "profile",
    "anomaly",
    "capacity",
    "fx",
    "cart",
    "catalog",
    "fresh",
    "delivery",
    "driver",
    "email",
    "geo",
    "image",
    "loan",
    "face",
    "marketing",
    "merchant",
    "franchise",
    "news",
    "nps",
    "order",
    "query",
    "review",
    "segment",
    "session",
    "shipping",
    "sku",
    "support",
    "tax",
    "ticket",
    "trust",
    "user",
    "video",
    "voice",
    "weather",
    "yield",
    "inventory",
    "language",
    "pricing",
    "bid",
)
TASKS = (
    "scorer",
    "predictor",
    "classifier",
    "ranker",
    "detector",
    "forecaster",
    "estimator",
    "embedder",
    "encoder",
    "tagger",
    "matcher",
    "regressor",
    "recommender",
    "filter",
    "segmenter",
    "extractor",
    "model",
)
REGIONS = (
    "eu",
    "us",
    "apac",
    "latam",
    "global",
    "uk",
    "de",
    "in",
    "br",
    "jp",
    "mena",
    "na",
    "emea",
    "ca",
    "au",
)
VERBS = {
    "scorer": "Scores",
    "predictor": "Predicts",
    "classifier": "Classifies",
    "ranker": "Ranks",
    "detector": "Detects",
    "forecaster": "Forecasts",
    "estimator": "Estimates",
    "embedder": "Embeds",
    "encoder": "Encodes",
    "tagger": "Tags",
    "matcher": "Matches",
    "regressor": "Regresses",
    "recommender": "Recommends",
    "filter": "Filters",
    "segmenter": "Segments",
    "extractor": "Extracts",
    "model": "Models",
}
TEAM_SUFFIXES = ("ml", "platform", "modeling", "ds", "analytics", "ai")
ALIASES = (
    "production",
    "staging",
    "shadow",
    "canary",
    "champion",
    "challenger",
    "batch",
    "realtime",
)
DATASET_NOUNS = (
    "transactions",
    "events",
    "labels",
    "clicks",
    "sessions",
    "snapshots",
    "logs",
    "impressions",
    "orders",
    "profiles",
    "images",
    "texts",
    "ratings",
    "accounts",
)
TRANSFORMS = (
    "dedup",
    "features",
    "sampled",
    "joined",
    "cleaned",
    "train",
    "holdout",
    "daily",
    "balanced",
    "enriched",
    "windowed",
    "agg",
)
RISK_TIERS = ("tier-1", "tier-2", "tier-2", "tier-3", "tier-3", "tier-3")

FIRST = (
    "Aisha",
    "Akira",
    "Alejandro",
    "Alice",
    "Amara",
    "Amir",
    "Ana",
    "Andrei",
    "Anika",
    "Arjun",
    "Astrid",
    "Ben",
    "Bilal",
    "Bruno",
    "Camille",
    "Carlos",
    "Chen",
    "Chiara",
    "Chidi",
    "Chloe",
    "Daniel",
    "Dara",
    "David",
    "Deepa",
    "Diego",
    "Dmitri",
    "Elena",
    "Elif",
    "Emeka",
    "Emma",
    "Erik",
    "Fatima",
    "Felix",
    "Fiona",
    "Florian",
    "Francesca",
    "Gabriel",
    "Grace",
    "Hana",
    "Hannah",
    "Hassan",
    "Ines",
    "Ingrid",
    "Isaac",
    "Ivan",
    "Jae",
    "James",
    "Javier",
    "Jin",
    "Joao",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karim",
    "Kenji",
    "Kofi",
    "Lars",
    "Layla",
    "Leah",
    "Leila",
    "Liam",
    "Lina",
    "Luca",
    "Lucia",
    "Mado",
    "Maria",
    "Marta",
    "Mateo",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Naledi",
    "Nikhil",
    "Nina",
    "Noah",
    "Nora",
    "Olu",
    "Omar",
    "Oscar",
    "Paolo",
    "Priya",
    "Quentin",
    "Rafael",
    "Rahul",
    "Rania",
    "Ravi",
    "Rosa",
    "Sam",
    "Sana",
    "Santiago",
    "Sara",
    "Sean",
    "Selin",
    "Shira",
    "Sofia",
    "Sunil",
    "Tariq",
    "Thea",
    "Tomas",
    "Uma",
    "Valentina",
    "Victor",
    "Wei",
    "Xin",
    "Yara",
    "Yusuf",
    "Yuki",
    "Zainab",
    "Zoe",
    "Adaeze",
    "Bao",
    "Cyrus",
    "Dilnoza",
    "Esra",
    "Farid",
    "Greta",
    "Hiro",
    "Imani",
    "Jorge",
)
LAST = (
    "Abara",
    "Adeyemi",
    "Ahmed",
    "Alvarez",
    "Andersen",
    "Aoki",
    "Bauer",
    "Bianchi",
    "Bose",
    "Brennan",
    "Castillo",
    "Chandra",
    "Chowdhury",
    "Costa",
    "Cruz",
    "Dahl",
    "Das",
    "Dubois",
    "Eze",
    "Fernandes",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hoang",
    "Hussain",
    "Ibrahim",
    "Ito",
    "Ivanova",
    "Jensen",
    "Joshi",
    "Kang",
    "Kapoor",
    "Karimi",
    "Kaur",
    "Kim",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Lee",
    "Lindqvist",
    "Liu",
    "Lopez",
    "Mahmoud",
    "Mbeki",
    "Mehta",
    "Mendes",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nair",
    "Nguyen",
    "Novak",
    "Nowak",
    "Obi",
    "Okafor",
    "Okoro",
    "Oliveira",
    "Ortiz",
    "Osei",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Popescu",
    "Qureshi",
    "Rahman",
    "Ramos",
    "Rao",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Sen",
    "Shah",
    "Silva",
    "Singh",
    "Sokolov",
    "Suzuki",
    "Tanaka",
    "Tran",
    "Varga",
    "Vasquez",
    "Wagner",
    "Wang",
    "Weber",
    "Wong",
    "Yamada",
    "Yilmaz",
    "Zhang",
    "Zhou",
    "Zielinski",
    "Achebe",
    "Bergstrom",
    "Carvalho",
    "Demir",
    "Eriksson",
    "Farah",
    "Gomez",
    "Horvat",
    "Iyer",
    "Jovanovic",
    "Khan",
    "Lambert",
    "Mensah",
    "Nilsson",
    "Otieno",
    "Pham",
    "Quinn",
    "Rahimi",
    "Sorensen",
    "Takahashi",
    "Uddin",
    "Virtanen",
    "Walsh",
    "Xu",
    "Yadav",
    "Zapata",
)
# Run names the way MLflow makes them up: adjective-animal-NNN.
ADJECTIVES = (
    "able",
    "bold",
    "brave",
    "bright",
    "calm",
    "capable",
    "clean",
    "clever",
    "crisp",
    "dapper",
    "eager",
    "easy",
    "fair",
    "fast",
    "fearless",
    "fine",
    "fluffy",
    "funny",
    "gentle",
    "glib",
    "grand",
    "happy",
    "honest",
    "jolly",
    "keen",
    "kind",
    "likeable",
    "lucky",
    "mellow",
    "merry",
    "nimble",
    "polite",
    "quick",
    "quiet",
    "rare",
    "rogue",
    "secret",
    "shy",
    "silent",
    "smooth",
    "sneaky",
    "stately",
    "sunny",
    "tasteful",
    "thoughtful",
    "trusting",
    "unequaled",
    "upbeat",
    "valuable",
    "victorious",
    "welcoming",
    "wise",
    "youthful",
    "zealous",
)
ANIMALS = (
    "ant",
    "ape",
    "asp",
    "bass",
    "bat",
    "bear",
    "bee",
    "boar",
    "carp",
    "cat",
    "colt",
    "conch",
    "crab",
    "crane",
    "cow",
    "deer",
    "doe",
    "dog",
    "dove",
    "eel",
    "elk",
    "finch",
    "fish",
    "foal",
    "fox",
    "frog",
    "gnat",
    "goat",
    "hare",
    "hawk",
    "hen",
    "hog",
    "horse",
    "jay",
    "koi",
    "lamb",
    "lark",
    "loon",
    "lynx",
    "mole",
    "moth",
    "mouse",
    "mule",
    "newt",
    "owl",
    "ox",
    "panda",
    "pig",
    "ram",
    "rat",
    "roo",
    "seal",
    "shark",
    "shrew",
    "skink",
    "sloth",
    "snail",
    "squid",
    "stag",
    "swan",
    "toad",
    "trout",
    "wasp",
    "whale",
    "wolf",
    "worm",
    "wren",
    "yak",
    "zebra",
)

# Hyperparameter families: key -> candidate values (strings, as MLflow stores params).
PARAM_FAMILIES = (
    {  # gradient boosting
        "learning_rate": ("0.01", "0.03", "0.05", "0.1", "0.2"),
        "max_depth": ("4", "6", "8", "10", "12"),
        "n_estimators": ("200", "400", "800", "1200", "2000"),
        "num_leaves": ("31", "63", "127", "255"),
        "subsample": ("0.7", "0.8", "0.9", "1.0"),
        "colsample_bytree": ("0.6", "0.8", "1.0"),
        "reg_lambda": ("0.0", "0.1", "1.0", "5.0"),
        "min_child_samples": ("10", "20", "50", "100"),
        "seed": ("7", "13", "42", "1234", "2026"),
    },
    {  # neural nets
        "learning_rate": ("1e-4", "3e-4", "1e-3", "3e-3"),
        "batch_size": ("128", "256", "512", "1024", "4096"),
        "epochs": ("5", "10", "20", "40"),
        "optimizer": ("adam", "adamw", "sgd", "lamb"),
        "dropout": ("0.0", "0.1", "0.2", "0.3"),
        "hidden_units": ("256", "512", "1024", "2048"),
        "weight_decay": ("0.0", "0.01", "0.05"),
        "warmup_steps": ("0", "500", "1000", "4000"),
        "seed": ("0", "7", "42", "1337"),
    },
    {  # linear
        "C": ("0.01", "0.1", "1.0", "10.0"),
        "penalty": ("l1", "l2", "elasticnet"),
        "solver": ("saga", "lbfgs", "liblinear"),
        "max_iter": ("100", "500", "1000"),
        "class_weight": ("balanced", "none"),
        "l1_ratio": ("0.15", "0.5", "0.85"),
        "tol": ("1e-4", "1e-3"),
        "seed": ("7", "42", "99"),
    },
)
METRIC_FAMILIES = (
    ("auc", "f1", "precision", "recall", "logloss", "accuracy", "pr_auc"),
    ("rmse", "mae", "mape", "r2", "smape", "bias"),
    ("ndcg_at_10", "map_at_10", "mrr", "recall_at_50", "precision_at_5", "coverage"),
)
TASK_METRICS = {
    "forecaster": 1,
    "estimator": 1,
    "regressor": 1,
    "predictor": 1,
    "ranker": 2,
    "recommender": 2,
    "matcher": 2,
    "embedder": 2,
}


# --- helpers ------------------------------------------------------------------------------------

_DAYS: dict[int, str] = {}
_CLOCK: list[str] = []


def _ts(t: int) -> str:
    """Epoch seconds -> ``2026-11-03T14:05:00Z``; both halves come from tables (this is hot)."""
    if not _CLOCK:
        _CLOCK.extend(
            f"T{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)
        )
    day = t // _DAY
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%d")
    return date + _CLOCK[t - day * _DAY]


def plan(artifacts: int) -> dict[str, int]:
    """How many artifacts of each kind a catalog of ``artifacts`` gets (they sum to it)."""
    if artifacts < MIN_ARTIFACTS:
        raise ValueError(f"a synthetic catalog needs at least {MIN_ARTIFACTS} artifacts")
    models = max(1, round(artifacts * SHARES["model"]))
    deployments = min(max(1, round(artifacts * SHARES["deployment"])), models * len(ALIASES))
    datasets = max(2, round(artifacts * SHARES["dataset"]))
    versions = max(models, round(artifacts * SHARES["model_version"]))
    runs = artifacts - models - deployments - datasets - versions
    return {
        "model": models,
        "deployment": deployments,
        "dataset": datasets,
        "model_version": versions,
        "run": runs,
    }


def _weights(n: int, exponent: float = 0.9) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(n)]


def _split(
    rnd: Random, total: int, buckets: int, floor: int, cap: int | None, weights: list[float]
) -> list[int]:
    """Deal ``total`` items into ``buckets``: at least ``floor`` (when there are enough), at most
    ``cap``, the rest by weight."""
    counts = [0] * buckets
    if total < floor * buckets:
        for b in rnd.sample(range(buckets), total):
            counts[b] = 1
        return counts
    counts = [floor] * buckets
    left = total - floor * buckets
    while left > 0:
        for b in rnd.choices(range(buckets), weights=weights, k=left):
            if left and (cap is None or counts[b] < cap):
                counts[b] += 1
                left -= 1
    return counts


# --- the generator ------------------------------------------------------------------------------


def build_synthetic(artifacts: int = 100_000, seed: int = 7) -> dict:
    """A valid snapshot document with exactly ``artifacts`` artifacts; deterministic in ``seed``."""
    rnd = Random(seed)
    rand, bits = rnd.random, rnd.getrandbits
    artifacts_out: dict[str, list[dict]] = {
        kind: [] for kind in ("model", "deployment", "dataset", "model_version", "run")
    }
    ownership: list[dict] = []
    edges: list[dict] = []
    alias_history: list[dict] = []

    # random() is a C call; randrange/choice cost ~1 us each in Python. Hot paths use these.
    def between(lo: int, hi: int) -> int:
        return lo + int(rand() * (hi - lo))

    def below(k: int) -> int:
        return int(rand() * k)

    def pick(seq):
        return seq[int(rand() * len(seq))]

    def make_run(style: tuple, start: int, status: str) -> str:
        """One training run of a model (``style`` says what its runs look like) and its
        ``trained_on``/``evaluated_on`` edges. Returns the run's id."""
        users, experiment, source_name, params, metrics, pool_ids = style
        run_hex = f"{bits(128):032x}"
        run_id = "mlflow:run/" + run_hex
        user = pick(users)
        tags = {"mlflow.source.git.commit": f"{bits(160):040x}", "mlflow.user": user}
        if rand() < 0.75:
            tags["mlflow.source.name"] = source_name
        artifacts_out["run"].append(
            {
                "id": run_id,
                "kind": "run",
                "name": f"{pick(ADJECTIVES)}-{pick(ANIMALS)}-{int(rand() * 1000)}",
                "status": status,
                "uri": f"s3://mlflow-artifacts/{run_hex}/artifacts",
                "created_at": _ts(start),
                "updated_at": _ts(start + between(600, 6 * _HOUR)),
                "attributes": {"experiment": experiment, "user": user},
                "params": {k: values[int(rand() * len(values))] for k, values in params},
                "metrics": {k: round(base + 0.08 * rand(), 4) for k, base in metrics},
                "tags": tags,
            }
        )
        # Distinct datasets: a rotation of the model's pool, split into trained and evaluated.
        size = len(pool_ids)
        trained, evaluated = between(1, 5), between(1, 4)
        if trained + evaluated > size:
            trained = max(1, size // 2)
            evaluated = size - trained
        offset = int(rand() * size)
        for j in range(trained + evaluated):
            edges.append(
                {
                    "upstream": pool_ids[(offset + j) % size],
                    "relation": "trained_on" if j < trained else "evaluated_on",
                    "downstream": run_id,
                }
            )
        return run_id

    n = plan(artifacts)
    scale = artifacts / 100_000

    # Teams and people ---------------------------------------------------------------------------
    team_count = max(3, round(60 * scale))
    team_ids = [f"{d}-{s}" for s in TEAM_SUFFIXES for d in DOMAINS][:team_count]
    teams = [
        {
            "id": tid,
            "name": " ".join(w.upper() if len(w) <= 3 else w.capitalize() for w in tid.split("-")),
            "email": f"{tid}@example.com",
            "channel": f"#{tid}-oncall",
            "oncall": f"{tid}-primary",
        }
        for tid in team_ids
    ]

    person_count = max(12, round(2000 * scale))
    people: list[dict] = []
    handles: list[str] = []
    members: list[list[str]] = [[] for _ in team_ids]
    seen_names: set[tuple[str, str]] = set()
    seen_handles: set[str] = set()
    while len(people) < person_count:
        first, last = pick(FIRST), pick(LAST)
        if (first, last) in seen_names and len(seen_names) < len(FIRST) * len(LAST) // 2:
            continue
        seen_names.add((first, last))
        base = (first[0] + last).lower()
        handle, k = base, 2
        while handle in seen_handles:
            handle, k = f"{base}{k}", k + 1
        seen_handles.add(handle)
        team = below(team_count)
        person = {"handle": handle, "name": f"{first} {last}", "email": f"{handle}@example.com"}
        roll = rand()
        if roll < 0.5:
            person["contact"] = f"+1-555-{below(10000):04d}"
        elif roll < 0.8:
            person["contact"] = f"pagerduty:{handle}"
        else:
            person["contact"] = f"slack:@{handle}"
        person["team"] = team_ids[team]
        members[team].append(handle)
        people.append(person)
        handles.append(handle)
    for team, group in enumerate(members):  # no empty teams: owners come from the team
        if not group:
            group.append(handles[team % len(handles)])

    def pick_two(team: int) -> tuple[str, str]:
        group = members[team]
        if len(group) >= 2:
            a, b = rnd.sample(group, 2)
            return a, b
        a = group[0]
        b = pick(handles)
        while b == a:
            b = pick(handles)
        return a, b

    domain_weights = _weights(len(DOMAINS), 0.8)

    # Datasets: raw (tier 0), then up to three derived tiers ---------------------------------------
    n_ds = n["dataset"]
    ds_ids: list[str] = []
    ds_domain: list[int] = []
    ds_by_domain: dict[int, list[int]] = {}
    tier_bounds = [0, round(n_ds * 0.45), round(n_ds * 0.75), round(n_ds * 0.92), n_ds]
    tier_bounds[1] = max(1, tier_bounds[1])
    seen_digest: set[str] = set()
    ds_names: list[str] = []
    ds_created: list[int] = []
    for i in range(n_ds):
        digest = f"{bits(64):016x}"
        while digest in seen_digest:
            digest = f"{bits(64):016x}"
        seen_digest.add(digest)
        tier = next(t for t in range(4) if i < tier_bounds[t + 1])
        record: dict = {"id": f"dataset/{digest}", "kind": "dataset"}
        if tier == 0:
            domain = rnd.choices(range(len(DOMAINS)), weights=domain_weights)[0]
            name = f"{DOMAINS[domain]}-{pick(DATASET_NOUNS)}-{pick(REGIONS)}"
            created = _EXPORT - between(60 * _DAY, 1100 * _DAY)
            record["description"] = f"Raw {name.split('-')[1]} for {DOMAINS[domain]}."
        else:
            lo, hi = tier_bounds[tier - 1], tier_bounds[tier]
            ups = [between(lo, hi)]
            if rand() < 0.3 and hi - lo > 1:
                other = between(lo, hi)
                if other != ups[0]:
                    ups.append(other)
            for up in ups:
                edges.append(
                    {
                        "upstream": ds_ids[up],
                        "relation": "derived_from",
                        "downstream": f"dataset/{digest}",
                    }
                )
            domain = ds_domain[ups[0]]
            name = f"{ds_names[ups[0]]}-{pick(TRANSFORMS)}"
            created = max(ds_created[u] for u in ups) + between(_HOUR, 20 * _DAY)
        record["name"] = name
        record["team"] = team_ids[domain % team_count]
        record["uri"] = f"s3://ml-data/{name}/{digest}/"
        record["digest"] = digest
        record["created_at"] = _ts(created)
        record["attributes"] = {
            "format": pick(("parquet", "parquet", "delta", "tfrecord")),
            "rows": str(between(10_000, 500_000_000)),
        }
        ds_ids.append(record["id"])
        ds_domain.append(domain)
        ds_names.append(name)
        ds_created.append(created)
        ds_by_domain.setdefault(domain, []).append(i)
        artifacts_out["dataset"].append(record)
        ownership.append(
            {
                "artifact": record["id"],
                "person": pick(members[domain % team_count]),
                "type": "data_steward",
                "since": record["created_at"],
            }
        )

    # Models -----------------------------------------------------------------------------------
    n_models = n["model"]
    versions_per = _split(
        rnd,
        n["model_version"],
        n_models,
        1,
        None,
        [rnd.lognormvariate(0, 0.7) for _ in range(n_models)],
    )
    deployments_per = _split(
        rnd, n["deployment"], n_models, 1, len(ALIASES), [1.0 + v / 4 for v in versions_per]
    )
    extra_runs = n["run"] - n["model_version"]  # runs that produced no version (or missing runs)
    orphan_runs_per = (
        _split(rnd, extra_runs, n_models, 0, None, [1.0] * n_models)
        if extra_runs > 0
        else [0] * n_models
    )
    runs_left = n["run"]

    name_seen: set[str] = set()
    domains = range(len(DOMAINS))
    model_domains = rnd.choices(domains, weights=domain_weights, k=n_models)
    task_weights = _weights(len(TASKS), 0.7)
    region_weights = _weights(len(REGIONS), 0.6)
    for m in range(n_models):
        domain = model_domains[m]
        dname = DOMAINS[domain]
        while True:
            task = rnd.choices(TASKS, weights=task_weights)[0]
            region = rnd.choices(REGIONS, weights=region_weights)[0]
            roll = rand()
            if roll < 0.75:
                name = f"{dname}-{task}-{region}-{below(10000):04d}"
            elif roll < 0.9:
                name = f"{dname}-{task}-{below(10000):04d}"
            else:
                name = f"{dname}-{pick(DOMAINS)}-{task}-{region}-{below(1000):03d}"
            if name not in name_seen:
                break
        name_seen.add(name)
        model_id = f"mlflow:model/{name}"
        team = domain % team_count
        team_id = team_ids[team]
        risk = pick(RISK_TIERS)
        nv = versions_per[m]

        # Version timeline, newest first, then reversed: gaps > 2 days keep alias spans ordered.
        t = _EXPORT - between(2 * _DAY, 90 * _DAY)
        created = [t]
        for _ in range(nv - 1):
            t -= between(2 * _DAY + _HOUR, 21 * _DAY)
            created.append(t)
        created.reverse()
        model_created = created[0] - between(_HOUR, 10 * _DAY)

        primary, backup = pick_two(team)
        record = {
            "id": model_id,
            "kind": "model",
            "name": name,
            "description": f"{VERBS[task]} {dname} {'' if task == 'model' else 'signals '}"
            f"for {region.upper()} traffic.",
            "status": "READY",
            "risk_tier": risk,
            "team": team_id,
            "created_at": _ts(model_created),
            "updated_at": _ts(created[-1]),
            "attributes": {"registry": "mlflow", "experiment": f"/Shared/{dname}/{name}"},
            "tags": {"owner": primary, "team": team_id, "risk_tier": risk},
        }
        artifacts_out["model"].append(record)
        since = model_created
        if rand() < 0.12 and created[-1] - model_created > 2 * _DAY:  # a handed-off primary
            previous = pick(members[team])
            handoff = model_created + between(_DAY, created[-1] - model_created)
            if previous != primary:
                ownership.append(
                    {
                        "artifact": model_id,
                        "person": previous,
                        "type": "primary",
                        "since": _ts(model_created),
                        "until": _ts(handoff),
                        "assigned_by": f"{team_id}-lead",
                    }
                )
                since = handoff
        ownership.append(
            {
                "artifact": model_id,
                "person": primary,
                "type": "primary",
                "since": _ts(since),
                "assigned_by": f"{team_id}-lead",
            }
        )
        if rand() < 0.8:
            ownership.append(
                {
                    "artifact": model_id,
                    "person": backup,
                    "type": "backup",
                    "since": _ts(since + between(0, 3 * _DAY)),
                }
            )

        # What this model's runs look like.
        family = PARAM_FAMILIES[below(len(PARAM_FAMILIES))]
        param_keys = rnd.sample(list(family), between(5, 8))
        param_values = [family[k] for k in param_keys]
        metric_keys = rnd.sample(METRIC_FAMILIES[TASK_METRICS.get(task, 0)], between(3, 6))
        metric_base = [0.5 + 0.4 * rand() for _ in metric_keys]
        pool_size = min(n_ds, between(6, 10))
        same = ds_by_domain.get(domain, [])
        pool = rnd.sample(same, min(len(same), pool_size // 2))
        pool_seen = set(pool)
        while len(pool) < pool_size:
            d = below(n_ds)
            if d not in pool_seen:
                pool_seen.add(d)
                pool.append(d)
        pool_ids = [ds_ids[d] for d in pool]
        users = members[team]
        version_ids: list[str] = []
        style = (
            users,
            f"/Shared/{dname}/{name}",
            f"pipelines/{dname}/train.py",
            tuple(zip(param_keys, param_values, strict=True)),
            tuple(zip(metric_keys, metric_base, strict=True)),
            pool_ids,
        )

        for v in range(1, nv + 1):
            version_id = f"{model_id}/{v}"
            vc = created[v - 1]
            record = {
                "id": version_id,
                "kind": "model_version",
                "name": name,
                "version": str(v),
                "model": model_id,
                "status": "READY",
                "created_at": _ts(vc),
                "updated_at": _ts(vc + between(60, _DAY)),
            }
            if v < nv - 6 and rand() < 0.04:
                record["deleted_upstream"] = True
            artifacts_out["model_version"].append(record)
            edges.append({"upstream": version_id, "relation": "version_of", "downstream": model_id})
            if runs_left > 0:
                runs_left -= 1
                run_id = make_run(style, vc - between(_HOUR, 12 * _HOUR), "FINISHED")
                record["uri"] = f"s3://mlflow-artifacts/{run_id[11:]}/artifacts/model"
                record["attributes"] = {"run_id": run_id[11:]}
                edges.append({"upstream": run_id, "relation": "produced", "downstream": version_id})
                if v > 1 and rand() < 0.92:  # warm-started from the previous version
                    edges.append(
                        {
                            "upstream": version_ids[-1],
                            "relation": "initialized_from",
                            "downstream": run_id,
                        }
                    )
            version_ids.append(version_id)

        for _ in range(orphan_runs_per[m]):  # experiments that never became a version
            if runs_left <= 0:
                break
            runs_left -= 1
            run_id = make_run(
                style, created[-1] + between(_HOUR, _DAY), pick(("FAILED", "KILLED", "FINISHED"))
            )
            edges.append(
                {"upstream": version_ids[-1], "relation": "initialized_from", "downstream": run_id}
            )

        # Deployments and their alias history.
        aliases = (
            ("production",) + tuple(rnd.sample(ALIASES[1:], deployments_per[m] - 1))
            if deployments_per[m]
            else ()
        )
        for k, alias in enumerate(aliases):
            lag = (0 if rand() < 0.7 else 1) if k == 0 else between(0, 3)
            served = max(1, nv - lag)
            positions = between(1, 5)
            rollback = positions >= 3 and served < nv and rand() < 0.25
            earlier_n = min(positions - (3 if rollback else 1), served - 1)
            history = sorted(rnd.sample(range(1, served), earlier_n)) + [served]
            spans = [(v, created[v - 1] + between(_HOUR, 36 * _HOUR), "snapshot") for v in history]
            if rollback:
                bad = between(served + 1, nv + 1)
                bad_from = created[bad - 1] + between(_HOUR, 36 * _HOUR)
                spans.append((bad, bad_from, "sync"))
                spans.append((served, bad_from + between(600, 6 * _HOUR), "rollback"))
            setter = pick(users)
            for i, (v, start, observed) in enumerate(spans):
                alias_history.append(
                    {
                        "model": model_id,
                        "alias": alias,
                        "version": str(v),
                        "from": _ts(start),
                        "to": _ts(spans[i + 1][1]) if i + 1 < len(spans) else None,
                        "set_by": setter if observed != "snapshot" else "deploy-bot",
                        "observed": observed,
                    }
                )
            deployment_id = f"{model_id}@{alias}"
            artifacts_out["deployment"].append(
                {
                    "id": deployment_id,
                    "kind": "deployment",
                    "name": name,
                    "alias": alias,
                    "model": model_id,
                    "status": "READY",
                    "team": team_id,
                    "uri": f"https://serving.internal/{name}/{alias}",
                    "created_at": _ts(spans[0][1]),
                    "updated_at": _ts(spans[-1][1]),
                }
            )
            edges.append(
                {
                    "upstream": version_ids[served - 1],
                    "relation": "serves",
                    "downstream": deployment_id,
                }
            )

    doc = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": EXPORTED_AT,
        "source": "synthetic",
        "teams": teams,
        "people": people,
        "artifacts": [
            a
            for kind in ("model", "deployment", "dataset", "model_version", "run")
            for a in artifacts_out[kind]
        ],
        "ownership": ownership,
        "edges": edges,
        "alias_history": alias_history,
    }
    return doc


def counts(doc: dict) -> dict[str, int]:
    """Rows per section, artifacts per kind, and facts (params + metrics + tags)."""
    out = {
        section: len(doc.get(section) or [])
        for section in ("teams", "people", "artifacts", "ownership", "edges", "alias_history")
    }
    for a in doc["artifacts"]:
        out[a["kind"]] = out.get(a["kind"], 0) + 1
    out["facts"] = sum(
        len(a.get("params") or ()) + len(a.get("metrics") or ()) + len(a.get("tags") or ())
        for a in doc["artifacts"]
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m store.synthetic",
        description="Write a deterministic synthetic catalog snapshot, for benchmarks.",
    )
    parser.add_argument(
        "--artifacts", type=int, default=100_000, help="number of artifacts (default 100000)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("out", metavar="OUT.json", help="where to write the snapshot")
    args = parser.parse_args(argv)
    if args.artifacts < MIN_ARTIFACTS:
        parser.error(f"--artifacts must be at least {MIN_ARTIFACTS}")
    started = time.perf_counter()
    doc = build_synthetic(args.artifacts, args.seed)
    built = time.perf_counter()
    text = json.dumps(doc, separators=(",", ":"))  # one-shot C encoder: json.dump is far slower
    Path(args.out).write_text(text, encoding="utf-8")
    done = time.perf_counter()
    summary = counts(doc)
    print(", ".join(f"{k} {v}" for k, v in summary.items()))
    print(
        f"wrote {args.out} ({len(text) / 1e6:.1f} MB): generated in {built - started:.2f}s, "
        f"written in {done - built:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
