"""The infeasibility message names every quota of the conflict, not only the one the smallest
relaxation happens to change."""

from panels.selection import Quota, SelectionProblem, Volunteer, check_feasibility


def _volunteers(count, prefix, features):
    return [Volunteer(id=f"{prefix}{index}", features=features, household=None) for index in range(count)]


def test_conflict_names_both_quotas_when_lowering_one_would_do():
    # Every woman is old and every young volunteer a man: at least 5 women and 5 young people
    # need 10 seats of 9. Lowering sex=f by one fixes it, but the conflict is sex=f with age=young.
    volunteers = _volunteers(10, "f", {"sex": "f", "age": "old"}) + _volunteers(10, "m", {"sex": "m", "age": "young"})
    quotas = (Quota("sex", "f", 5, 9), Quota("sex", "m", 0, 9), Quota("age", "young", 5, 9), Quota("age", "old", 0, 9))
    infeasibility = check_feasibility(SelectionProblem(volunteers=tuple(volunteers), quotas=quotas, k=9,
                                                       enforce_households=False))
    assert infeasibility.total_change == 1
    assert infeasibility.conflicts == ("the quotas on sex=f with age=young cannot be met together by this pool",)


def test_conflict_leaves_out_quotas_that_play_no_part():
    # Three categories; area has nothing to do with the sex × age conflict.
    volunteers = (_volunteers(10, "f", {"sex": "f", "age": "old", "area": "north"})
                  + _volunteers(10, "m", {"sex": "m", "age": "young", "area": "south"})
                  + _volunteers(10, "x", {"sex": "m", "age": "old", "area": "north"}))
    quotas = (Quota("sex", "f", 5, 9), Quota("sex", "m", 0, 9), Quota("age", "young", 5, 9),
              Quota("age", "old", 0, 9), Quota("area", "north", 2, 9), Quota("area", "south", 0, 9))
    infeasibility = check_feasibility(SelectionProblem(volunteers=tuple(volunteers), quotas=quotas, k=9,
                                                       enforce_households=False))
    assert infeasibility.conflicts == ("the quotas on sex=f with age=young cannot be met together by this pool",)
