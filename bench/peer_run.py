"""Run the Sortition Foundation's ``sortition-algorithms`` on one instance; print JSON.

Executed by ``bench/selection.py`` with the interpreter of ``.bench-venv`` (the peer is
never a dependency of the app). Input: path of a JSON file with ``features_csv``
(``feature,value,min,max``), ``people_csv`` (``id``, one column per feature, and
``household``), ``k``, ``households`` (bool) and ``algorithm`` (``leximin``/``maximin``).
Output on stdout: ``{"time_s", "probabilities": {id: p}, "panels": [[id, ...]], "weights"}``
or ``{"error": "..."}``. Only the ``find_distribution_*`` call is timed.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    spec = json.loads(open(sys.argv[1], encoding="utf-8").read())
    from sortition_algorithms.adapters import CSVStringDataSource, SelectionData
    from sortition_algorithms.committee_generation import (
        find_distribution_leximin,
        find_distribution_maximin,
        standardize_distribution,
    )
    from sortition_algorithms.settings import Settings

    address_columns = ["household"] if spec["households"] else []
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        check_same_address=bool(address_columns),
        check_same_address_columns=address_columns,
    )
    data = SelectionData(CSVStringDataSource(spec["features_csv"], spec["people_csv"]))
    features, _ = data.load_features(spec["k"])
    people, _ = data.load_people(settings, features)
    finder = {"leximin": find_distribution_leximin, "maximin": find_distribution_maximin}[spec["algorithm"]]
    started = time.perf_counter()
    try:
        committees, weights, _ = finder(features, people, spec["k"], address_columns, "highspy")
    except Exception as error:  # report any peer failure as "no result"
        print(json.dumps({"error": f"{type(error).__name__}: {error}"[:300]}))
        return
    elapsed = time.perf_counter() - started
    committees, weights = standardize_distribution(committees, weights)
    probabilities = {person: 0.0 for person in people}
    for committee, weight in zip(committees, weights):
        for person in committee:
            probabilities[person] += weight
    print(
        json.dumps(
            {
                "time_s": elapsed,
                "probabilities": probabilities,
                "panels": [sorted(committee) for committee in committees],
                "weights": list(weights),
            }
        )
    )


if __name__ == "__main__":
    main()
