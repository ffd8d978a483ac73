"""Which duty flows ``naptip serve`` / ``naptip deploy`` deploy when plans are data (issue
19): the rule of ``plans_to_run`` (running plans; a closed plan only for its final
evaluation), a duty a successor carries on deployed once, and names that say the plan
when more than one is served. Plain functions over the real built-in plugins and a
synthetic NAPTIP 4.0 package: no Prefect here (tests/flows has the end-to-end)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from naptip.base.config import parse_settings
from naptip.plan import pluginmanager
from naptip.plan.catalog import Catalog
from naptip.plan.plans import ENV, PlanRegistry, load_plans, plan_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.work.planruns import PlanToRun, duties_to_serve
from tests.plan.test_successor import CONTINUES, _make

OLD, NEW = "naptip-3.0", "naptip-4.0"
OLD_FLOWS = ["annual-review", "case-management-meeting", "enforcement-meeting",
             "final-evaluation", "shelter-managers-meeting", "world-day"]


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanRegistry, dict[str, Catalog]]:
    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(
        pluginmanager.BUILTIN_PLUGINS)})
    package = _make(tmp_path_factory.mktemp("plans") / NEW, CONTINUES)
    registry = load_plans(loaded, parse_settings({}), environ={ENV: str(package)})
    return registry, {p: plan_catalog(loaded, registry, p) for p in registry.plans}


def served(plans: tuple[PlanRegistry, dict[str, Catalog]], today: date,
           *plan_ids: str) -> list[tuple[str, str]]:
    registry, catalogs = plans
    to_run = [PlanToRun(plan=registry.plans[p], why="test") for p in plan_ids]
    return [(s.plan, s.duty.id) for s in duties_to_serve(to_run, today, catalogs.__getitem__)]


def test_a_closed_plan_serves_its_final_evaluation_and_its_successor_the_rest(
        plans: tuple[PlanRegistry, dict[str, Catalog]]) -> None:
    got = served(plans, date(2026, 12, 7), OLD, NEW)
    assert got == [(OLD, "final-evaluation"), (NEW, "enforcement-meeting"),
                   (NEW, "world-day")]


def test_the_default_plan_alone_serves_every_duty_flow_while_it_runs(
        plans: tuple[PlanRegistry, dict[str, Catalog]]) -> None:
    assert served(plans, date(2023, 8, 1), OLD) == [(OLD, d) for d in OLD_FLOWS]
    # closed, alone (no successor loaded): still only its final evaluation
    assert served(plans, date(2026, 12, 7), OLD) == [(OLD, "final-evaluation")]


def test_a_continued_duty_is_served_once_by_the_plan_running_that_day(
        plans: tuple[PlanRegistry, dict[str, Catalog]]) -> None:
    # 2025: 3.0 runs, 4.0 is a draft: the meetings and World Day stay 3.0's
    got = served(plans, date(2025, 6, 1), OLD, NEW)
    assert got == [(OLD, d) for d in OLD_FLOWS]
    # 2026 with both still listed (3.0's final evaluation kept it): the successor's
    got = served(plans, date(2026, 1, 5), OLD, NEW)
    assert [d for _p, d in got].count("enforcement-meeting") == 1
    assert (NEW, "world-day") in got and (OLD, "world-day") not in got


def test_deployment_names_say_the_plan_only_when_several_are_served() -> None:
    from naptip.flows.serve import Planned, deployment_name

    assert deployment_name("final-evaluation", OLD, several=False) == "final-evaluation"
    assert deployment_name("final-evaluation", OLD, several=True) == \
        "final-evaluation (naptip-3.0)"
    flow = SimpleNamespace(name="final-evaluation")
    alone = Planned(flow, "final-evaluation", "", {}, plan=OLD)
    assert alone.describe() == "final-evaluation/final-evaluation (naptip-3.0)"
    named = Planned(flow, "final-evaluation (naptip-3.0)", "", {}, plan=OLD)
    assert named.describe() == named.full_name == \
        "final-evaluation/final-evaluation (naptip-3.0)"
    assert Planned(SimpleNamespace(name="daily-run"), "daily", "", {}).describe() == \
        "daily-run/daily"


def test_the_cli_app_selects_with_the_stores_reminders(
        plans: tuple[PlanRegistry, dict[str, Catalog]], tmp_path: Path) -> None:
    """served_duties: --plan names one plan; without it, the plans plans_to_run picks."""
    from naptip.flows.serve import served_duties

    registry, catalogs = plans
    app = SimpleNamespace(plan_id=OLD, plan=registry.plans[OLD], today=date(2026, 12, 7),
                          catalog=catalogs[OLD], plans=registry, db=None,
                          for_plan=lambda p: SimpleNamespace(catalog=catalogs[p]))
    assert [(s.plan, s.duty.id) for s in served_duties(cast(Any, app))] == [
        (OLD, "final-evaluation")]
    app.plan_id, app.plan, app.catalog = None, registry.plans[NEW], catalogs[NEW]
    # no store yet: a closed plan has nothing to remind, the running one is served
    assert [(s.plan, s.duty.id) for s in served_duties(cast(Any, app))] == [
        (NEW, "enforcement-meeting"), (NEW, "world-day")]


def test_doctor_counts_the_deployments_plan_by_plan() -> None:
    from naptip.work.prefect_access import deployments_by_plan

    found: list[dict[str, Any]] = [{"name": "daily", "parameters": {}},
             {"name": "final-evaluation (naptip-3.0)",
              "parameters": {"duty": "final-evaluation", "plan": OLD}},
             {"name": "world-day (naptip-4.0)", "parameters": {"duty": "world-day", "plan": NEW}},
             {"name": "enforcement-meeting (naptip-4.0)",
              "parameters": {"duty": "enforcement-meeting", "plan": NEW}},
             {"name": "world-day", "parameters": {"duty": "world-day"}},
             {"name": "annual-review", "paused": True,
              "parameters": {"duty": "annual-review", "plan": OLD}}]
    assert deployments_by_plan(found) == (
        "1 daily-run (every plan), 1 for naptip-3.0, 2 for naptip-4.0, 1 without a plan "
        "(the default's: deploy or serve again), 1 paused")
    assert deployments_by_plan([]) == "none"
