"""Suggested scores against a month counted by hand.

November 2026 at 滨河湾, the key keeper 李娜 (the only published checklist is the key audit, so
her duties are one rule: one audit a day, keeper_daily):
- audits on every day but the 5th, 12th and 26th: 27 of 30 days;
- the supervisor sent back the audits of the 3rd, 9th and 17th once (each sent again): 3 of 27;
- follow-ups assigned to her, due in November: due 10th fixed 9th (on time), due 12th fixed
  12th 23:00 China time (on time: the due day is the property's), due 15th fixed 16th 01:00
  China time (late, though still the 15th in UTC), due 20th never fixed (late); one due
  3 December does not belong to November: 2 of 4.
"""

from datetime import UTC, date, datetime

import pytest

from server.assessments import figures
from tests.assessments.conftest import CST

NOVEMBER = date(2026, 11, 1)
MONTH_OVER = datetime(2026, 12, 5, 12, tzinfo=CST)
AUDIT_DAYS = [day for day in range(1, 31) if day not in (5, 12, 26)]


@pytest.fixture
def november(team, build_month, make_follow_up):
    build_month(2026, 11, AUDIT_DAYS, returned_days=(3, 9, 17))
    make_follow_up(date(2026, 11, 10), datetime(2026, 11, 9, 15, tzinfo=CST))
    make_follow_up(date(2026, 11, 12), datetime(2026, 11, 12, 23, tzinfo=CST))
    make_follow_up(date(2026, 11, 15), datetime(2026, 11, 15, 17, tzinfo=UTC))  # 16th 01:00 CST
    make_follow_up(date(2026, 11, 20))
    make_follow_up(date(2026, 12, 3))
    return team


def test_suggestions_and_their_figures_for_a_month_counted_by_hand(november):
    found = figures.suggestions(november["property"], november["keeper"], NOVEMBER, MONTH_OVER)
    assert found == {
        # 勤·工作出勤, 5 points: 27/30 = 0.9 → 4.5
        "attendance": {"kind": "duties", "figures": {"done": 27, "due": 30}, "points": 5,
                       "value": 4.5},
        # 绩·工作效率, 7.5 points: 2/4 on time = 0.5 → 3.75, rounded to the half point → 4.0
        "efficiency": {"kind": "followups", "figures": {"on_time": 2, "due": 4}, "points": 7.5,
                       "value": 4.0},
        # 绩·工作效果, 7.5 points: 24/27 not returned → 6.67 → 6.5
        "effect": {"kind": "returns", "figures": {"returned": 3, "total": 27}, "points": 7.5,
                   "value": 6.5},
    }
    assert [figures.explain(found[key], "zh-CN") for key in ("attendance", "effect", "efficiency")] == [
        "完成 27/30 项应做巡查", "退回 3/27 条记录", "按时整改 2/4 项到期整改"]
    assert figures.explain(found["attendance"], "en") == "27 of 30 inspections due were done"


def test_while_the_month_runs_only_what_was_due_by_now_counts(november):
    # 18 November, 20:00: days 1–18 have begun and 16 were audited (not the 5th and 12th);
    # the follow-up due on the 20th is not late yet: 2 of the 3 due by now were on time.
    now = datetime(2026, 11, 18, 20, tzinfo=CST)
    found = figures.suggestions(november["property"], november["keeper"], NOVEMBER, now)
    assert found["attendance"]["figures"] == {"done": 16, "due": 18}
    assert found["attendance"]["value"] == 4.5  # 5 × 16/18 = 4.44 → 4.5
    assert found["efficiency"]["figures"] == {"on_time": 2, "due": 3}
    assert found["efficiency"]["value"] == 5.0  # 7.5 × 2/3 = 5.0


def test_a_colleague_with_no_duties_gets_no_suggestion_and_is_told_why(november):
    found = figures.suggestions(november["property"], november["colleague"], NOVEMBER, MONTH_OVER)
    assert {key: value["value"] for key, value in found.items()} == {
        "attendance": None, "efficiency": None, "effect": None}
    assert figures.explain(found["attendance"], "zh-CN") == "本月没有应做的巡查，无建议分"
    assert figures.explain(found["effect"], "en") == "No inspection records this month; no suggestion"
