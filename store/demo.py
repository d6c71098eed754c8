"""A deterministic, realistic demo catalog (snapshot format version 1).

``build_demo_catalog()`` returns a snapshot document in canonical export form: every key present
in the order of ``store.snapshot_schema.SECTIONS``, records sorted as ``export_snapshot`` sorts
them, so importing it into an empty replica and exporting gives the same bytes (but
``exported_at``). ``python -m store.demo > store/data/demo-catalog.json`` regenerates the bundled
file; a test checks that the two agree.

Everything comes from the fixed tables below plus ``random.Random(20261120)`` for jitter and
metric noise, drawn in a fixed order: no clock, no set or hash ordering.

The catalog has deliberate governance gaps for the checks and the demo to find (see
``GAPS``), and one incident story: ``fraud-scorer@production`` moved from version 6 to version 7
on 2026-11-19T22:10:00Z; version 7 trained on a newer transactions snapshot and has a slightly
worse AUC, which makes version 6 the rollback candidate.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta

from store.models import KIND_RANK
from store.snapshot_schema import FORMAT, SECTIONS, VERSION

SEED = 20261120
EXPORTED_AT = "2026-11-20T06:00:00Z"
EARLIEST = datetime(2026, 3, 1, tzinfo=UTC)
LATEST = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
MAIL = "acme.example"

# --- teams and people -----------------------------------------------------------------------

# id, name, on-call rotation, lead (who assigns ownership)
TEAMS = [
    ("risk-ml", "Risk ML", "risk-ml-primary", "mchen"),
    ("growth-ml", "Growth ML", "growth-ml-weekly", "lkowalski"),
    ("search-relevance", "Search Relevance", "search-relevance-primary", "hyamamoto"),
    ("platform-ml", "ML Platform", "ml-platform-24x7", "vpetrov"),
    ("forecasting", "Forecasting", "forecasting-business-hours", "arao"),
]
LEAD = {team: lead for team, _, _, lead in TEAMS}
ONCALL = {team: rotation for team, _, rotation, _ in TEAMS}

# handle, name, team, contact
PEOPLE = [
    ("aokafor", "Adaeze Okafor", "risk-ml", "+1-555-0142 (pager)"),
    ("mchen", "Mei Chen", "risk-ml", "slack @mchen"),
    ("rsantos", "Rafael Santos", "risk-ml", "+1-555-0178 (pager)"),
    ("pnair", "Priya Nair", "risk-ml", "slack @pnair"),
    ("lkowalski", "Lena Kowalski", "growth-ml", "+1-555-0113 (pager)"),
    ("dmensah", "Daniel Mensah", "growth-ml", "slack @dmensah"),
    ("sgarcia", "Sofía García", "growth-ml", "+1-555-0167 (pager)"),
    ("hyamamoto", "Hiroshi Yamamoto", "search-relevance", "+1-555-0121 (pager)"),
    ("fbenali", "Fatima Benali", "search-relevance", "slack @fbenali"),
    ("tlindqvist", "Tove Lindqvist", "search-relevance", "slack @tlindqvist"),
    ("oadeyemi", "Oluwaseun Adeyemi", "platform-ml", "+1-555-0104 (pager)"),
    ("vpetrov", "Viktor Petrov", "platform-ml", "+1-555-0189 (pager)"),
    ("kdubois", "Karim Dubois", "platform-ml", "slack @kdubois"),
    ("arao", "Ananya Rao", "forecasting", "+1-555-0135 (pager)"),
    ("jmuller", "Jonas Müller", "forecasting", "slack @jmuller"),
    ("nhernandez", "Nicolás Hernández", "forecasting", "+1-555-0156 (pager)"),
]
# Known only from tags: no directory entry, no contact, no team.
J_DOE = "j.doe"  # the MLflow `owner` tag of promo-uplift-model
CONTRACTOR = "bwright@northpeak-consulting.example"  # ran promo-uplift-model's training runs
UNKNOWN_PEOPLE = [(J_DOE, f"{J_DOE}@{MAIL}"), (CONTRACTOR, CONTRACTOR)]


def _email(handle: str) -> str:
    for person, email in UNKNOWN_PEOPLE:
        if person == handle:
            return email
    return f"{handle}@{MAIL}"


# --- datasets -------------------------------------------------------------------------------

# name, team, source type, created (UTC), data steward or None, derived from (names)
DATASETS = [
    ("transactions-2026-02", "risk-ml", "s3", "2026-03-02T04:10", "pnair", ()),
    ("transactions-2026-05", "risk-ml", "s3", "2026-06-02T04:10", "pnair", ()),
    ("transactions-2026-08", "risk-ml", "s3", "2026-09-02T04:10", "pnair", ()),
    ("transactions-2026-10", "risk-ml", "s3", "2026-11-03T04:10", "pnair", ()),
    (
        "fraud-holdout-2026-q1",
        "risk-ml",
        "s3",
        "2026-03-03T09:30",
        "mchen",
        ("transactions-2026-02",),
    ),
    ("chargebacks-labeled-2026-02", "risk-ml", "delta", "2026-03-04T06:00", "rsantos", ()),
    ("chargebacks-labeled-2026-07", "risk-ml", "delta", "2026-08-05T06:00", "rsantos", ()),
    ("aml-alerts-labeled-2026-02", "risk-ml", "delta", "2026-03-05T07:45", "mchen", ()),
    ("aml-alerts-labeled-2026-08", "risk-ml", "delta", "2026-09-04T07:45", "mchen", ()),
    ("login-events-2026-04", "risk-ml", "bigquery", "2026-05-01T02:00", None, ()),
    ("credit-applications-2026-03", "risk-ml", "delta", "2026-04-06T05:20", "rsantos", ()),
    ("merchant-profiles-2026-05", "risk-ml", "delta", "2026-05-28T05:20", "aokafor", ()),
    ("kyc-documents-v1", "risk-ml", "s3", "2026-08-10T12:00", "pnair", ()),
    ("customer-activity-2026-02", "growth-ml", "bigquery", "2026-03-03T03:00", "dmensah", ()),
    ("customer-activity-2026-07", "growth-ml", "bigquery", "2026-08-03T03:00", "dmensah", ()),
    (
        "ltv-cohorts-2026-03",
        "growth-ml",
        "bigquery",
        "2026-03-28T08:15",
        "sgarcia",
        ("customer-activity-2026-02",),
    ),
    ("promo-campaigns-2026-04", "growth-ml", "bigquery", "2026-05-06T10:40", "lkowalski", ()),
    ("offer-interactions-2026-03", "growth-ml", "bigquery", "2026-04-15T03:30", "lkowalski", ()),
    ("offer-interactions-2026-09", "growth-ml", "bigquery", "2026-10-06T03:30", "lkowalski", ()),
    ("signups-2026-06", "growth-ml", "bigquery", "2026-07-02T03:00", None, ()),
    ("search-clicks-2026-02", "search-relevance", "bigquery", "2026-03-01T06:00", "fbenali", ()),
    ("search-clicks-2026-08", "search-relevance", "bigquery", "2026-09-01T06:00", "fbenali", ()),
    (
        "relevance-judgments-2026-q3",
        "search-relevance",
        "s3",
        "2026-09-20T14:00",
        "tlindqvist",
        ("search-clicks-2026-08",),
    ),
    ("query-intent-labels-v3", "search-relevance", "s3", "2026-03-18T11:00", "hyamamoto", ()),
    ("product-catalog-2026-04", "search-relevance", "delta", "2026-04-02T01:00", None, ()),
    ("alert-history-2026-04", "platform-ml", "delta", "2026-05-03T00:30", "kdubois", ()),
    ("gpu-utilization-2026-08", "platform-ml", "bigquery", "2026-09-02T00:30", "vpetrov", ()),
    ("pii-annotations-v2", "platform-ml", "s3", "2026-04-20T16:00", "vpetrov", ()),
    ("orders-daily-2026-02", "forecasting", "delta", "2026-03-02T02:00", "jmuller", ()),
    ("orders-daily-2026-06", "forecasting", "delta", "2026-07-01T02:00", "jmuller", ()),
    ("orders-daily-2026-09", "forecasting", "delta", "2026-10-01T02:00", "jmuller", ()),
    (
        "demand-backtest-2026-h1",
        "forecasting",
        "delta",
        "2026-07-03T09:00",
        "arao",
        ("orders-daily-2026-06",),
    ),
    ("inventory-snapshots-2026-03", "forecasting", "delta", "2026-04-08T02:30", "nhernandez", ()),
    ("call-center-volume-2026-04", "forecasting", "bigquery", "2026-05-02T04:00", "arao", ()),
    ("price-tests-2026-05", "forecasting", "delta", "2026-06-03T08:00", None, ()),
    (
        "deliveries-2026-02",
        "forecasting",
        "delta",
        "2026-03-20T03:00",
        "nhernandez",
        ("orders-daily-2026-02",),
    ),
    (
        "deliveries-2026-08",
        "forecasting",
        "delta",
        "2026-09-03T03:00",
        "nhernandez",
        ("orders-daily-2026-06",),
    ),
    (
        "churn-holdout-2026-q1",
        "growth-ml",
        "bigquery",
        "2026-03-04T05:00",
        "dmensah",
        ("customer-activity-2026-02",),
    ),
]

# --- models ---------------------------------------------------------------------------------

# name, team, risk tier, family, versions, first version date, last version date, description
MODELS = [
    (
        "fraud-scorer",
        "risk-ml",
        "tier-1",
        "gbdt_clf",
        7,
        "2026-03-12",
        "2026-11-17",
        "Real-time card-transaction fraud score (0-1) called by the payments authorization path.",
    ),
    (
        "chargeback-predictor",
        "risk-ml",
        "tier-1",
        "gbdt_clf",
        5,
        "2026-03-20",
        "2026-10-28",
        "Predicts which settled transactions will be disputed within 90 days; feeds reserve "
        "planning.",
    ),
    (
        "aml-transaction-monitor",
        "risk-ml",
        "tier-1",
        "gbdt_clf",
        6,
        "2026-03-10",
        "2026-11-05",
        "Flags transaction patterns for anti-money-laundering review; alerts go to the compliance "
        "queue.",
    ),
    (
        "account-takeover-detector",
        "risk-ml",
        "tier-1",
        "gbdt_clf",
        4,
        "2026-05-04",
        "2026-11-12",
        "Scores login sessions for account-takeover risk; step-up auth above 0.8.",
    ),
    (
        "credit-limit-recommender",
        "risk-ml",
        "tier-2",
        "regression",
        3,
        "2026-04-14",
        "2026-09-22",
        "Recommends initial credit limits for approved card applications.",
    ),
    (
        "merchant-risk-scorer",
        "risk-ml",
        "tier-2",
        "gbdt_clf",
        3,
        "2026-06-02",
        "2026-10-14",
        "Nightly merchant risk score used by onboarding and payout holds.",
    ),
    (
        "kyc-document-classifier",
        "risk-ml",
        "tier-2",
        "nn_clf",
        2,
        "2026-08-19",
        "2026-11-10",
        "Classifies uploaded identity documents (passport, licence, utility bill) for KYC review.",
    ),
    (
        "churn-predictor",
        "growth-ml",
        "tier-2",
        "gbdt_clf",
        6,
        "2026-03-09",
        "2026-11-03",
        "30-day churn probability per active customer; drives retention campaigns.",
    ),
    (
        "ltv-forecaster",
        "growth-ml",
        "tier-2",
        "regression",
        4,
        "2026-04-01",
        "2026-10-20",
        "Predicted 12-month customer lifetime value for acquisition bidding.",
    ),
    (
        "promo-uplift-model",
        "growth-ml",
        "tier-3",
        "uplift",
        3,
        "2026-05-12",
        "2026-09-30",
        "Estimates incremental conversion from promotional discounts.",
    ),
    (
        "next-best-offer",
        "growth-ml",
        "tier-2",
        "uplift",
        5,
        "2026-04-22",
        "2026-11-11",
        "Chooses the in-app offer with the highest expected uplift per customer.",
    ),
    (
        "signup-propensity",
        "growth-ml",
        "tier-3",
        "gbdt_clf",
        2,
        "2026-07-07",
        "2026-10-01",
        "Likelihood that a landing-page visitor signs up within 7 days.",
    ),
    (
        "ranking-embeddings",
        "search-relevance",
        "tier-1",
        "ranking",
        8,
        "2026-03-05",
        "2026-11-14",
        "Two-tower query/product embeddings behind first-stage search retrieval.",
    ),
    (
        "query-intent-classifier",
        "search-relevance",
        "tier-2",
        "nn_clf",
        5,
        "2026-03-24",
        "2026-11-06",
        "Classifies search queries into navigational, product and support intents.",
    ),
    (
        "spelling-corrector",
        "search-relevance",
        "tier-3",
        "nn_clf",
        3,
        "2026-05-18",
        "2026-10-09",
        "Suggests corrected spellings for zero-result queries.",
    ),
    (
        "product-reranker",
        "search-relevance",
        "tier-1",
        "ranking",
        6,
        "2026-04-07",
        "2026-11-13",
        "Second-stage cross-encoder reranking the top 200 search candidates.",
    ),
    (
        "autocomplete-suggester",
        "search-relevance",
        "tier-3",
        "ranking",
        2,
        "2026-06-23",
        "2026-09-15",
        "Ranks query completions in the search box.",
    ),
    (
        "anomaly-alert-classifier",
        "platform-ml",
        "tier-3",
        "gbdt_clf",
        3,
        "2026-05-26",
        "2026-10-06",
        "Triages model-monitoring alerts into actionable and noise.",
    ),
    (
        "gpu-capacity-forecaster",
        "platform-ml",
        "tier-3",
        "forecast",
        2,
        "2026-07-21",
        "2026-10-27",
        "Forecasts GPU hours per team for the training cluster's capacity plan.",
    ),
    (
        "pii-text-detector",
        "platform-ml",
        "tier-2",
        "nn_clf",
        4,
        "2026-04-28",
        "2026-11-04",
        "Detects personal data in free text before it is logged or used for training.",
    ),
    (
        "demand-forecaster",
        "forecasting",
        "tier-1",
        "forecast",
        8,
        "2026-03-06",
        "2026-11-16",
        "Daily SKU x region demand forecast, 28 days ahead; feeds purchasing.",
    ),
    (
        "inventory-replenishment",
        "forecasting",
        "tier-2",
        "forecast",
        4,
        "2026-04-16",
        "2026-10-30",
        "Reorder quantities per warehouse from forecast demand and lead times.",
    ),
    (
        "call-volume-forecaster",
        "forecasting",
        "tier-2",
        "forecast",
        3,
        "2026-05-05",
        "2026-10-19",
        "Half-hourly support call volume forecast for staffing.",
    ),
    (
        "price-elasticity-model",
        "forecasting",
        "tier-2",
        "regression",
        3,
        "2026-06-09",
        "2026-10-23",
        "Estimates price elasticity per category from price tests.",
    ),
    (
        "delivery-eta-predictor",
        "forecasting",
        "tier-1",
        "regression",
        5,
        "2026-03-30",
        "2026-11-09",
        "Predicts delivery time shown at checkout and in order tracking.",
    ),
]

# Training inputs: groups of dataset names; each run trains on the newest dataset of each group
# that existed when the run started. Evaluation inputs likewise (a group may have none yet).
TRAIN = {
    "fraud-scorer": [
        [
            "transactions-2026-02",
            "transactions-2026-05",
            "transactions-2026-08",
            "transactions-2026-10",
        ],
        ["chargebacks-labeled-2026-02", "chargebacks-labeled-2026-07"],
    ],
    "chargeback-predictor": [
        ["chargebacks-labeled-2026-02", "chargebacks-labeled-2026-07"],
        ["transactions-2026-02", "transactions-2026-05", "transactions-2026-08"],
    ],
    "aml-transaction-monitor": [
        ["aml-alerts-labeled-2026-02", "aml-alerts-labeled-2026-08"],
        ["transactions-2026-02", "transactions-2026-05", "transactions-2026-08"],
    ],
    "account-takeover-detector": [["login-events-2026-04"]],
    "credit-limit-recommender": [["credit-applications-2026-03"]],
    "merchant-risk-scorer": [
        ["merchant-profiles-2026-05"],
        ["transactions-2026-05", "transactions-2026-08"],
    ],
    "kyc-document-classifier": [["kyc-documents-v1"]],
    "churn-predictor": [["customer-activity-2026-02", "customer-activity-2026-07"]],
    "ltv-forecaster": [["ltv-cohorts-2026-03"]],
    "promo-uplift-model": [["promo-campaigns-2026-04"]],
    "next-best-offer": [["offer-interactions-2026-03", "offer-interactions-2026-09"]],
    "signup-propensity": [["signups-2026-06"]],
    "ranking-embeddings": [["search-clicks-2026-02", "search-clicks-2026-08"]],
    "query-intent-classifier": [["query-intent-labels-v3"]],
    "spelling-corrector": [["search-clicks-2026-02", "search-clicks-2026-08"]],
    "product-reranker": [
        ["search-clicks-2026-02", "search-clicks-2026-08"],
        ["product-catalog-2026-04"],
    ],
    "autocomplete-suggester": [["search-clicks-2026-02", "search-clicks-2026-08"]],
    "anomaly-alert-classifier": [["alert-history-2026-04"]],
    "gpu-capacity-forecaster": [["gpu-utilization-2026-08"]],
    "pii-text-detector": [["pii-annotations-v2"]],
    "demand-forecaster": [["orders-daily-2026-02", "orders-daily-2026-06", "orders-daily-2026-09"]],
    "inventory-replenishment": [
        ["inventory-snapshots-2026-03"],
        ["orders-daily-2026-02", "orders-daily-2026-06", "orders-daily-2026-09"],
    ],
    "call-volume-forecaster": [["call-center-volume-2026-04"]],
    "price-elasticity-model": [
        ["price-tests-2026-05"],
        ["orders-daily-2026-06", "orders-daily-2026-09"],
    ],
    "delivery-eta-predictor": [["deliveries-2026-02", "deliveries-2026-08"]],
}
EVALUATE = {
    "fraud-scorer": [["fraud-holdout-2026-q1"]],
    "churn-predictor": [["churn-holdout-2026-q1"]],
    "ranking-embeddings": [["relevance-judgments-2026-q3"]],
    "product-reranker": [["relevance-judgments-2026-q3"]],
    "demand-forecaster": [["demand-backtest-2026-h1"]],
    "inventory-replenishment": [["demand-backtest-2026-h1"]],
}
# Runs that warm-start from the previous version (version -initialized_from-> run).
WARM_START = ("ranking-embeddings", "product-reranker")

# Ownership: primary (None = no primary at all), backups.
OWNERS = {
    "fraud-scorer": ("aokafor", ["mchen"]),
    "chargeback-predictor": ("rsantos", ["aokafor"]),
    "aml-transaction-monitor": ("mchen", ["pnair"]),
    "account-takeover-detector": ("pnair", ["rsantos"]),
    "credit-limit-recommender": ("rsantos", ["pnair"]),
    "merchant-risk-scorer": ("aokafor", ["rsantos"]),
    "kyc-document-classifier": ("pnair", ["mchen"]),
    "churn-predictor": ("lkowalski", ["dmensah"]),  # handed off from sgarcia, see HANDOFF
    "ltv-forecaster": ("dmensah", ["sgarcia"]),
    "promo-uplift-model": (J_DOE, ["lkowalski"]),
    "next-best-offer": ("lkowalski", ["dmensah"]),
    "signup-propensity": ("sgarcia", []),
    "ranking-embeddings": ("hyamamoto", ["fbenali"]),
    "query-intent-classifier": ("fbenali", ["hyamamoto"]),
    "spelling-corrector": ("tlindqvist", []),
    "product-reranker": ("hyamamoto", ["tlindqvist"]),
    "autocomplete-suggester": (None, ["tlindqvist"]),
    "anomaly-alert-classifier": ("kdubois", ["vpetrov"]),
    "gpu-capacity-forecaster": ("vpetrov", []),
    "pii-text-detector": ("oadeyemi", ["kdubois"]),
    "demand-forecaster": ("arao", ["jmuller", "nhernandez"]),
    "inventory-replenishment": ("nhernandez", ["arao"]),
    "call-volume-forecaster": ("jmuller", ["arao"]),
    "price-elasticity-model": ("arao", []),
    "delivery-eta-predictor": ("nhernandez", ["jmuller"]),
}
HANDOFF = {
    "churn-predictor": (
        "sgarcia",
        "2026-08-17T09:00",
        "Handoff from sgarcia, who moved to signup-propensity.",
    )
}
# A deployment with owners of its own, overriding the model's.
DEPLOYMENT_OWNER = (
    "ranking-embeddings",
    "production",
    "oadeyemi",
    "2026-06-01T09:00",
    "Served by the shared embedding service: ML Platform pages first, then search-relevance.",
)

# Alias positions in order (version numbers). A step back is a historic manual rollback.
ALIASES = {
    "fraud-scorer": {"production": [1, 2, 4, 5, 6, 7], "staging": [6, 7]},
    "chargeback-predictor": {"production": [1, 3, 5], "staging": [5]},
    "aml-transaction-monitor": {"production": [1, 2, 4, 5], "staging": [6]},
    "account-takeover-detector": {"production": [2, 4], "staging": [4]},
    "credit-limit-recommender": {"production": [1, 3]},
    "merchant-risk-scorer": {"production": [1, 2]},
    "kyc-document-classifier": {"staging": [2]},
    "churn-predictor": {"production": [2, 4, 3, 5], "champion": [5], "challenger": [6]},
    "ltv-forecaster": {"production": [1, 2, 4]},
    "promo-uplift-model": {"production": [2, 3]},
    "next-best-offer": {"production": [1, 3, 4], "champion": [4], "challenger": [5]},
    "signup-propensity": {"production": [1, 2]},
    "ranking-embeddings": {"production": [1, 3, 5, 7], "staging": [8]},
    "query-intent-classifier": {"production": [1, 3, 5], "staging": [5]},
    "spelling-corrector": {"production": [2, 3]},
    "product-reranker": {"production": [1, 3, 4], "champion": [3, 4], "challenger": [5, 6]},
    "autocomplete-suggester": {"production": [1, 2]},
    "anomaly-alert-classifier": {"production": [1, 3]},
    "gpu-capacity-forecaster": {"production": [1, 2]},
    "pii-text-detector": {"production": [1, 2, 4]},
    "demand-forecaster": {"production": [1, 3, 5, 6, 8], "staging": [8]},
    "inventory-replenishment": {"production": [1, 3], "staging": [4]},
    "call-volume-forecaster": {"production": [1, 3]},
    "price-elasticity-model": {"production": [1, 2]},
    "delivery-eta-predictor": {"production": [1, 2, 4, 5], "staging": [5]},
}
# Teams still on MLflow's legacy stages record `current_stage` on versions.
STAGE_TEAMS = ("risk-ml", "forecasting")

# --- the fraud-scorer story and the other fixed points --------------------------------------

FRAUD = "fraud-scorer"
FRAUD_VERSION_TIMES = [
    "2026-03-12T14:20",
    "2026-04-09T10:05",
    "2026-05-06T16:40",
    "2026-06-03T11:15",
    "2026-07-15T09:50",
    "2026-09-08T13:25",
    "2026-11-17T15:32",
]
# (model, alias, version) -> (from, set_by)
FIXED_MOVES = {
    (FRAUD, "production", 6): ("2026-09-14T16:20", "aokafor"),
    (FRAUD, "production", 7): ("2026-11-19T22:10", "rsantos"),
    (FRAUD, "staging", 6): ("2026-09-08T18:00", None),
    (FRAUD, "staging", 7): ("2026-11-17T18:05", None),
}
FRAUD_PARAMS = {
    5: {"max_depth": "9"},
    6: {
        "learning_rate": "0.05",
        "max_depth": "6",
        "n_estimators": "600",
        "feature_set": "v4",
        "subsample": "0.8",
        "colsample_bytree": "0.8",
        "seed": "42",
    },
    7: {
        "learning_rate": "0.03",
        "max_depth": "8",
        "n_estimators": "900",
        "feature_set": "v5-merchant-embeddings",
        "subsample": "0.8",
        "colsample_bytree": "0.8",
        "seed": "42",
    },
}
FRAUD_BASE_AUC = 0.92  # v1..v5 climb from here towards v6's 0.9412
FRAUD_METRICS = {
    6: {"auc": 0.9412, "precision": 0.8123, "recall": 0.7431, "latency_p99_ms": 38.4},
    7: {"auc": 0.9368, "precision": 0.8057, "recall": 0.7389, "latency_p99_ms": 41.2},
}
FRAUD_DESCRIPTIONS = {
    6: "Retrained on transactions-2026-08; shallower trees (max_depth 6) to cut p99 latency.",
    7: "Retrained on transactions-2026-10 with merchant-category embeddings (feature set v5).",
}
FRAUD_VERSION_TAGS = {7: {"validation_note": "AUC -0.0044 vs v6, within the 0.005 tolerance"}}

# Governance gaps, deliberately present.
DELETED_UPSTREAM = {("fraud-scorer", 1), ("churn-predictor", 1)}
NO_RUN = {("promo-uplift-model", 1), ("call-volume-forecaster", 2)}
NO_DATASETS = {("spelling-corrector", 1), ("gpu-capacity-forecaster", 1)}
NO_METRICS = {("pii-text-detector", 4)}  # and pii-text-detector@production serves it


# --- helpers --------------------------------------------------------------------------------


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _ts(dt: datetime) -> str:
    if not EARLIEST <= dt <= LATEST:
        raise ValueError(f"demo timestamp out of range: {dt.isoformat()}")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex(text: str, n: int) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:n]


def _run_id(model: str, version: int) -> str:
    return f"mlflow:run/{_hex(f'run:{model}/{version}', 32)}"


def _record(section: str, **values) -> dict:
    """A record with every key of its section, in order; unknown keys are a bug here."""
    spec = SECTIONS[section]
    unknown = set(values) - set(spec)
    if unknown:
        raise KeyError(f"{section}: unknown keys {sorted(unknown)}")
    record = {key: values.get(key) for key in spec}
    if section == "artifacts":
        record["deleted_upstream"] = bool(values.get("deleted_upstream", False))
        for key in ("attributes", "params", "metrics", "tags"):
            record[key] = dict(sorted((values.get(key) or {}).items()))
    if section == "people":
        record["known"] = bool(values.get("known", True))
    return record


def _dataset_id(name: str) -> str:
    return f"dataset/{_hex('dataset:' + name, 16)}"


def _dataset_uri(name: str, team: str, source: str) -> str:
    if source == "s3":
        return f"s3://acme-ml-data/{team}/{name}/"
    table = name.replace("-", "_")
    if source == "delta":
        return f"{team.replace('-', '_')}.{table}"
    return f"acme-{team}.curated.{table}"


GAPS = {
    "version without run lineage": [f"mlflow:model/{m}/{v}" for m, v in sorted(NO_RUN)],
    "run without dataset inputs": [_run_id(m, v) for m, v in sorted(NO_DATASETS)],
    "deployment serving a version without evaluation metrics": [
        "mlflow:model/pii-text-detector@production"
    ],
    "model without a backup owner": [
        f"mlflow:model/{m}" for m in sorted(OWNERS) if OWNERS[m][0] and not OWNERS[m][1]
    ],
    "model without a primary owner": [
        f"mlflow:model/{m}" for m in sorted(OWNERS) if OWNERS[m][0] is None
    ],
    "owner unknown as a person": ["mlflow:model/promo-uplift-model"],
    "deleted upstream but kept": [f"mlflow:model/{m}/{v}" for m, v in sorted(DELETED_UPSTREAM)],
}


# --- facts per model family -----------------------------------------------------------------


def _params(family: str, rng: random.Random, feature_set: int) -> dict:
    seed = rng.choice(["42", "42", "7", "1234", "20260301"])
    if family in ("gbdt_clf", "regression", "uplift"):
        params = {
            "learning_rate": rng.choice(["0.1", "0.05", "0.03", "0.02"]),
            "max_depth": str(rng.randint(4, 10)),
            "n_estimators": rng.choice(["300", "400", "600", "800", "1200"]),
            "subsample": rng.choice(["0.7", "0.8", "0.9"]),
            "colsample_bytree": rng.choice(["0.6", "0.8", "1.0"]),
            "feature_set": f"v{feature_set}",
            "seed": seed,
        }
        if family == "uplift":
            params["meta_learner"] = rng.choice(["T-learner", "X-learner"])
        return params
    if family == "nn_clf":
        return {
            "base_model": rng.choice(["distilbert-base-multilingual-cased", "xlm-roberta-base"]),
            "learning_rate": rng.choice(["3e-5", "5e-5", "1e-4"]),
            "batch_size": rng.choice(["32", "64", "128"]),
            "epochs": rng.choice(["3", "4", "5"]),
            "dropout": rng.choice(["0.1", "0.2"]),
            "max_seq_len": rng.choice(["64", "128", "256"]),
            "seed": seed,
        }
    if family == "ranking":
        return {
            "learning_rate": rng.choice(["1e-4", "2e-4", "5e-4"]),
            "batch_size": rng.choice(["512", "1024", "2048"]),
            "epochs": rng.choice(["8", "10", "12", "15"]),
            "embedding_dim": rng.choice(["128", "256"]),
            "negatives_per_query": rng.choice(["4", "8", "16"]),
            "temperature": rng.choice(["0.05", "0.07"]),
            "seed": seed,
        }
    if family == "forecast":
        return {
            "learning_rate": rng.choice(["0.1", "0.05", "0.03"]),
            "num_leaves": rng.choice(["31", "63", "127"]),
            "n_estimators": rng.choice(["500", "1000", "1500"]),
            "horizon_days": "28",
            "lookback_days": rng.choice(["364", "728"]),
            "feature_set": f"v{feature_set}",
            "seed": seed,
        }
    raise ValueError(family)


def _metrics(family: str, rng: random.Random, base: float, progress: float) -> dict:
    """Metrics that improve a little with `progress` (0..1), plus noise."""

    def noise(scale: float) -> float:
        return rng.gauss(0.0, scale)

    if family == "gbdt_clf":
        auc = base + 0.02 * progress + noise(0.003)
        precision = auc - 0.13 + noise(0.01)
        recall = auc - 0.19 + noise(0.012)
        return {
            "auc": auc,
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall),
            "latency_p99_ms": 25 + 30 * (1 - base) * 10 + noise(3),
        }
    if family == "nn_clf":
        accuracy = base + 0.03 * progress + noise(0.004)
        precision = accuracy - 0.02 + noise(0.008)
        recall = accuracy - 0.04 + noise(0.01)
        return {
            "accuracy": accuracy,
            "f1_macro": accuracy - 0.05 + noise(0.006),
            "precision": precision,
            "recall": recall,
            "latency_p99_ms": 60 + noise(8),
        }
    if family == "ranking":
        ndcg = base + 0.04 * progress + noise(0.004)
        return {
            "ndcg_at_10": ndcg,
            "mrr": ndcg - 0.06 + noise(0.006),
            "recall_at_100": min(0.99, ndcg + 0.31 + noise(0.008)),
            "latency_p99_ms": 18 + noise(2.5),
        }
    if family == "forecast":
        mape = base - 0.03 * progress + abs(noise(0.004))
        return {
            "mape": mape,
            "wape": mape * 0.9 + noise(0.003),
            "rmse": 400 * mape + noise(2),
            "mae": 290 * mape + noise(1.5),
        }
    if family == "regression":
        r2 = base + 0.04 * progress + noise(0.006)
        return {
            "r2": r2,
            "rmse": 100 * (1 - r2) + noise(0.8),
            "mae": 70 * (1 - r2) + noise(0.6),
            "latency_p99_ms": 22 + noise(3),
        }
    if family == "uplift":
        qini = base + 0.03 * progress + noise(0.004)
        return {
            "qini": qini,
            "auuc": qini * 1.9 + noise(0.005),
            "uplift_at_10pct": qini * 0.6 + noise(0.003),
            "latency_p99_ms": 30 + noise(4),
        }
    raise ValueError(family)


BASE_RANGE = {
    "gbdt_clf": (0.82, 0.9),
    "nn_clf": (0.86, 0.93),
    "ranking": (0.38, 0.5),
    "forecast": (0.09, 0.16),
    "regression": (0.62, 0.78),
    "uplift": (0.05, 0.09),
}


# --- the catalog ----------------------------------------------------------------------------


def build_demo_catalog() -> dict:
    rng = random.Random(SEED)
    teams = [
        _record(
            "teams",
            id=tid,
            name=name,
            email=f"{tid}@{MAIL}",
            channel=f"#{tid}-oncall",
            oncall=rotation,
        )
        for tid, name, rotation, _ in TEAMS
    ]
    people = [
        _record("people", handle=h, name=name, email=_email(h), contact=contact, team=team)
        for h, name, team, contact in PEOPLE
    ]
    people += [
        _record("people", handle=h, name=h, email=email, known=False) for h, email in UNKNOWN_PEOPLE
    ]

    artifacts: list[dict] = []
    ownership: list[dict] = []
    edges: list[tuple[str, str, str]] = []
    history: list[dict] = []

    # Datasets.
    dataset_by_name: dict[str, dict] = {}
    for name, team, source, created, steward, parents in DATASETS:
        aid = _dataset_id(name)
        record = _record(
            "artifacts",
            id=aid,
            kind="dataset",
            name=name,
            team=team,
            uri=_dataset_uri(name, team, source),
            digest=aid.split("/", 1)[1],
            created_at=_ts(_dt(created)),
            attributes={"source_type": source},
        )
        artifacts.append(record)
        dataset_by_name[name] = record
        for parent in parents:
            edges.append((dataset_by_name[parent]["id"], "derived_from", aid))
        if steward:
            ownership.append(
                _record(
                    "ownership",
                    artifact=aid,
                    person=steward,
                    type="data_steward",
                    since=_ts(_dt(created)),
                    assigned_by=LEAD[team],
                )
            )

    def inputs(groups: list[list[str]], at: datetime) -> list[str]:
        chosen = []
        for group in groups:
            ready = [n for n in group if _dt(dataset_by_name[n]["created_at"][:16]) < at]
            if ready:
                chosen.append(ready[-1])
        return chosen

    for name, team, tier, family, n_versions, first, last, description in MODELS:
        model_id = f"mlflow:model/{name}"
        primary, backups = OWNERS[name]
        lo, hi = BASE_RANGE[family]
        base = round(rng.uniform(lo, hi), 4)
        if name == FRAUD:
            base = FRAUD_BASE_AUC

        # Version times: spread between first and last, with jitter.
        if name == FRAUD:
            times = [_dt(t) for t in FRAUD_VERSION_TIMES]
        else:
            start, end = _dt(first + "T00:00"), _dt(last + "T00:00")
            times = []
            for i in range(n_versions):
                day = start + (end - start) * i / (n_versions - 1)
                jitter = 0 if i in (0, n_versions - 1) else rng.randint(-2, 2)
                times.append(
                    day.replace(hour=0, minute=0)
                    + timedelta(
                        days=jitter, hours=rng.randint(8, 18), minutes=rng.choice(range(0, 60, 5))
                    )
                )
        model_created = times[0] - timedelta(minutes=12)

        # Alias positions -> history rows and the current target of each alias.
        current: dict[str, int] = {}
        spans: dict[int, list[datetime]] = {}
        moves: list[datetime] = []
        held: dict[str, set[int]] = {}
        alias_first: dict[str, datetime] = {}
        handoff = HANDOFF.get(name)
        for alias in sorted(ALIASES.get(name, {})):
            positions = ALIASES[name][alias]
            starts: list[tuple[int, datetime, str | None]] = []
            prev: datetime | None = None
            for k, version in enumerate(positions):
                fixed = FIXED_MOVES.get((name, alias, version))
                if fixed:
                    at, who = _dt(fixed[0]), fixed[1]
                else:
                    if prev is not None and version < positions[k - 1]:  # manual rollback
                        at = prev + timedelta(days=2, hours=rng.randint(1, 9))
                    elif alias in ("production", "champion"):
                        at = times[version - 1] + timedelta(
                            days=rng.randint(2, 6), hours=rng.randint(1, 8)
                        )
                    else:
                        at = times[version - 1] + timedelta(hours=rng.randint(1, 8))
                    if prev is not None and at <= prev:
                        at = prev + timedelta(hours=6)
                    at = min(at, LATEST - timedelta(hours=1 + k))
                    if alias in ("production", "champion"):
                        owner_now = primary
                        if handoff and at < _dt(handoff[1]):
                            owner_now = handoff[0]
                        candidates = [owner_now, *backups] if owner_now else backups
                        who = candidates[k % len(candidates)]
                    else:
                        who = None  # staging and challenger are moved by CI
                if prev is not None and at <= prev:
                    raise ValueError(f"{name}@{alias}: positions out of order")
                starts.append((version, at, who))
                prev = at
            for k, (version, at, who) in enumerate(starts):
                until = starts[k + 1][1] if k + 1 < len(starts) else None
                history.append(
                    _record(
                        "alias_history",
                        model=model_id,
                        alias=alias,
                        version=str(version),
                        **{"from": _ts(at)},
                        to=_ts(until) if until else None,
                        set_by=who,
                        observed="sync",
                    )
                )
                spans.setdefault(version, []).extend([at] + ([until] if until else []))
                moves.append(at)
            current[alias] = starts[-1][0]
            held[alias] = {v for v, _, _ in starts}
            alias_first[alias] = starts[0][1]

            # The deployment for this alias.
            dep_id = f"{model_id}@{alias}"
            host = "serving-staging" if alias == "staging" else "serving"
            artifacts.append(
                _record(
                    "artifacts",
                    id=dep_id,
                    kind="deployment",
                    name=name,
                    alias=alias,
                    model=model_id,
                    team=team,
                    uri=f"https://{host}.{MAIL}/v1/endpoints/{name}-{alias}",
                    created_at=_ts(starts[0][1]),
                    updated_at=_ts(starts[-1][1]),
                )
            )
            edges.append((f"{model_id}/{starts[-1][0]}", "serves", dep_id))

        # Versions and their runs.
        feature_set = 1
        commit_no = 1
        previous_version_id = None
        for i, created in enumerate(times):
            n = i + 1
            version_id = f"{model_id}/{n}"
            progress = i / max(1, n_versions - 1)
            if i and rng.random() < 0.55:
                commit_no += 1
            if i and rng.random() < 0.35:
                feature_set += 1
            run_start = created - timedelta(hours=rng.randint(3, 30), minutes=rng.randint(0, 59))
            duration = timedelta(minutes=rng.randint(18, 150))
            params = _params(family, rng, feature_set)
            metrics = _metrics(family, rng, base, progress)
            if name == FRAUD and n in FRAUD_PARAMS:
                params.update(FRAUD_PARAMS[n])
            if name == FRAUD and n in FRAUD_METRICS:
                metrics = dict(FRAUD_METRICS[n])
                p, r = metrics["precision"], metrics["recall"]
                metrics["f1"] = 2 * p * r / (p + r)
                commit_no += 1  # new code for both
            metrics = {
                k: round(float(v), 1 if k.endswith("_ms") else 4) for k, v in metrics.items()
            }

            train = [] if (name, n) in NO_DATASETS else inputs(TRAIN[name], run_start)
            evaluate = [] if (name, n) in NO_DATASETS else inputs(EVALUATE.get(name, []), run_start)
            if (name, n) not in NO_DATASETS and not train:
                raise ValueError(f"{name}/{n}: no training data before {run_start}")

            # Who trained it.
            if name == "promo-uplift-model":
                user = CONTRACTOR
            elif handoff and run_start < _dt(handoff[1]):
                user = handoff[0]
            else:
                user = primary or backups[0]

            has_run = (name, n) not in NO_RUN
            if has_run:
                run_id = _run_id(name, n)
                run_tags = {
                    "mlflow.source.git.commit": _hex(f"commit:{name}:{commit_no}", 40),
                    "mlflow.source.name": f"pipelines/{name.replace('-', '_')}/train.py",
                    "mlflow.user": user,
                }
                if (name, n) in NO_METRICS:
                    metrics = {}
                    run_tags["eval_job"] = "failed: evaluator pod OOMKilled, metrics not logged"
                artifacts.append(
                    _record(
                        "artifacts",
                        id=run_id,
                        kind="run",
                        name=f"{name}-train-{run_start:%m%d}",
                        status="FINISHED",
                        created_at=_ts(run_start),
                        updated_at=_ts(run_start + duration),
                        attributes={"experiment": f"/{team}/{name}", "user": user},
                        params=params,
                        metrics=metrics,
                        tags=run_tags,
                    )
                )
                edges.append((run_id, "produced", version_id))
                edges.extend((dataset_by_name[d]["id"], "trained_on", run_id) for d in train)
                edges.extend((dataset_by_name[d]["id"], "evaluated_on", run_id) for d in evaluate)
                if name in WARM_START and previous_version_id:
                    edges.append((previous_version_id, "initialized_from", run_id))
            edges.append((version_id, "version_of", model_id))

            # The version itself.
            if not has_run:
                text = "Uploaded by hand from a notebook export; no MLflow run recorded."
            elif name == FRAUD and n in FRAUD_DESCRIPTIONS:
                text = FRAUD_DESCRIPTIONS[n]
            elif train:
                text = f"Retrained on {', '.join(train)}."
            else:
                text = "Trained from a notebook; inputs not logged."
            promoted = any(n in held.get(a, ()) for a in ("production", "champion"))
            if promoted:
                status_tag = "approved"
            elif n in (current.get("staging"), current.get("challenger")) or n == n_versions:
                status_tag = "pending"
            else:
                status_tag = "rejected"
            tags = {"validation_status": status_tag}
            if name == FRAUD:
                tags.update(FRAUD_VERSION_TAGS.get(n, {}))
            attributes = {}
            if team in STAGE_TEAMS:
                if current.get("production") == n:
                    stage = "Production"
                elif current.get("staging") == n:
                    stage = "Staging"
                elif n in held.get("production", ()):
                    stage = "Archived"
                else:
                    stage = "None"
                attributes["current_stage"] = stage
            touched = [created, *spans.get(n, [])]
            artifacts.append(
                _record(
                    "artifacts",
                    id=version_id,
                    kind="model_version",
                    name=name,
                    version=str(n),
                    model=model_id,
                    description=text,
                    status="READY",
                    uri=f"models:/m-{_hex(f'logged-model:{name}/{n}', 32)}",
                    created_at=_ts(created),
                    updated_at=_ts(max(touched)),
                    deleted_upstream=(name, n) in DELETED_UPSTREAM,
                    attributes=attributes,
                    tags=tags,
                )
            )
            previous_version_id = version_id

        # The model, its tags and its owners.
        tags = {"team": team, "risk_tier": tier}
        if primary:
            tags["owner"] = _email(primary)
        if backups:
            tags["backup_owners"] = ",".join(_email(b) for b in backups)
        if tier != "tier-3":
            tags["oncall"] = ONCALL[team]
        artifacts.append(
            _record(
                "artifacts",
                id=model_id,
                kind="model",
                name=name,
                description=description,
                risk_tier=tier,
                team=team,
                created_at=_ts(model_created),
                updated_at=_ts(max([times[-1], *moves])),
                tags=tags,
            )
        )
        if handoff:
            old, when, note = handoff
            ownership.append(
                _record(
                    "ownership",
                    artifact=model_id,
                    person=old,
                    type="primary",
                    since=_ts(model_created),
                    until=_ts(_dt(when)),
                    assigned_by=LEAD[team],
                )
            )
            ownership.append(
                _record(
                    "ownership",
                    artifact=model_id,
                    person=primary,
                    type="primary",
                    since=_ts(_dt(when)),
                    assigned_by=LEAD[team],
                    note=note,
                )
            )
        elif primary:
            ownership.append(
                _record(
                    "ownership",
                    artifact=model_id,
                    person=primary,
                    type="primary",
                    since=_ts(model_created),
                    assigned_by=LEAD[team],
                    note="Imported from the MLflow owner tag; not in the directory."
                    if primary == J_DOE
                    else None,
                )
            )
        for k, backup in enumerate(backups):
            since = model_created + timedelta(days=7 * (k + 1), hours=rng.randint(0, 8))
            ownership.append(
                _record(
                    "ownership",
                    artifact=model_id,
                    person=backup,
                    type="backup",
                    since=_ts(since),
                    assigned_by=LEAD[team],
                )
            )

    model_name, alias, person, since, note = DEPLOYMENT_OWNER
    ownership.append(
        _record(
            "ownership",
            artifact=f"mlflow:model/{model_name}@{alias}",
            person=person,
            type="primary",
            since=_ts(_dt(since)),
            assigned_by=LEAD["search-relevance"],
            note=note,
        )
    )

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": EXPORTED_AT,
        "source": "demo",
        "teams": sorted(teams, key=lambda t: t["id"]),
        "people": sorted(people, key=lambda p: p["handle"]),
        "artifacts": sorted(artifacts, key=lambda a: (KIND_RANK[a["kind"]], a["id"])),
        "ownership": sorted(
            ownership, key=lambda o: (o["artifact"], o["type"], o["person"], o["since"])
        ),
        "edges": [
            _record("edges", upstream=u, relation=r, downstream=d) for u, r, d in sorted(set(edges))
        ],
        "alias_history": sorted(history, key=lambda h: (h["model"], h["alias"], h["from"])),
    }


if __name__ == "__main__":
    import sys

    from store.snapshot import dumps

    sys.stdout.buffer.write(dumps(build_demo_catalog()).encode("utf-8"))
