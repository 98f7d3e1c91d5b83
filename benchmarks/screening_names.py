"""Precision, recall and F1 of `name_score` at `settings.SCREENING_THRESHOLD` on the labelled hard cases.

.venv/bin/python benchmarks/screening_names.py [--errors] [--threshold 0.88]
"""

import argparse
import csv
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from screening.matching import name_score  # noqa: E402

PAIRS = ROOT / "tests" / "screening" / "data" / "name_pairs.csv"


def evaluate(threshold: float, path: Path = PAIRS):
    """(precision, recall, f1, counts, errors) of the matcher on the labelled pairs in `path`."""
    counts: Counter = Counter()
    errors = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            score = name_score(row["query"], row["candidate"], schema=row["schema"])
            predicted = score >= threshold
            actual = row["label"] == "1"
            counts[(predicted, actual)] += 1
            if predicted != actual:
                errors.append((row["rule"], actual, round(score, 3), row["query"], row["candidate"]))
    tp, fp, fn = counts[(True, True)], counts[(True, False)], counts[(False, True)]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, counts, errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=settings.SCREENING_THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list the misclassified pairs")
    args = parser.parse_args()
    precision, recall, f1, counts, errors = evaluate(args.threshold)
    total = sum(counts.values())
    positives = counts[(True, True)] + counts[(False, True)]
    print(f"pairs: {total} ({positives} positive, {total - positives} negative), threshold {args.threshold}")
    print(
        f"TP {counts[(True, True)]}  FP {counts[(True, False)]}  FN {counts[(False, True)]}  TN {counts[(False, False)]}"
    )
    print(f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    if args.errors:
        for rule, actual, score, query, candidate in sorted(errors):
            print(f"  {'FN' if actual else 'FP'} {rule:28} {score:.3f}  {query!r} ~ {candidate!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
