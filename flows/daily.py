"""The Prefect flows: ``daily-run`` and one flow per kind of duty the plugins declare.

They are thin: a few batched tasks over ``naptip.work.daywork`` (never one flow run per
activity). The dispatch task raises when a message failed, so Prefect retries it with
backoff; the run summary is recorded in the store whatever happens. The day a run works
on is its *scheduled* time in Asia/Kuala_Lumpur (runs start early or late), or the ``day``
parameter.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date, datetime
from typing import Any

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun, State
from prefect.runtime import flow_run as current_run

from naptip.time.clock import PLAN_TZ
from naptip.work.daywork import DayWork, RunSummary, StepResult, plan_day, run_step
from naptip.work.reviewpack import REVIEW_FLOWS

#: seconds between dispatch retries (NAPTIP_RETRY_DELAYS="2,4,8" to change them)
RETRY_DELAYS = [float(x) for x in os.environ.get("NAPTIP_RETRY_DELAYS", "30,120,600").split(",")]
#: the built-in kinds of duty flows (``flow = ...`` in a duty); others run ``duty-run``
DUTY_FLOWS = ("meeting", "world-day", "annual-review", "final-evaluation")


class DispatchFailed(Exception):
    """Messages failed in this attempt (apprise/SMTP reported it): retry the task."""


def work_day(day: str | None) -> date:
    """The day a run works on: its parameter, else its scheduled start in Kuala Lumpur."""
    if day:
        return date.fromisoformat(day)
    scheduled = current_run.scheduled_start_time
    if isinstance(scheduled, datetime):
        return scheduled.astimezone(PLAN_TZ).date()
    return datetime.now(PLAN_TZ).date()


_APP: list[Any] = []
_SCOPED: dict[str, Any] = {}


def _app(plan_id: str | None = None) -> Any:
    """The settings, plugins and store of this process (NAPTIP_* environment), built once;
    ``plan_id``: the same, scoped to that plan (else NAPTIP_PLAN, else the default plan)."""
    if not _APP:
        from naptip.work.context import App

        _APP.append(App(plan_id=os.environ.get("NAPTIP_PLAN") or None))
    if plan_id is None or plan_id == _APP[0].plan_id:
        return _APP[0]
    if plan_id not in _SCOPED:
        _APP[0].db  # opened first: every plan's scope shares the one store  # noqa: B018
        _SCOPED[plan_id] = _APP[0].for_plan(plan_id)
    return _SCOPED[plan_id]


def _spec(day: date, *, dry_run: bool, duty: str | None = None,
          plan: str | None = None) -> dict[str, Any]:
    """A run's parameters as plain values (what tasks receive: cheap to hash and show)."""
    app = _app(plan)
    since = day if duty else plan_day(app.db, day, plan=app.catalog.structure.plan).since
    return {"day": day.isoformat(), "since": since.isoformat(), "dry_run": dry_run,
            "duty": duty, "plan": app.catalog.structure.plan.id}


def _work(spec: dict[str, Any]) -> DayWork:
    app = _app(spec.get("plan"))
    return DayWork(db=app.db, catalog=app.catalog, settings=app.settings, loaded=app.loaded,
                   day=date.fromisoformat(spec["day"]), since=date.fromisoformat(spec["since"]),
                   dry_run=bool(spec["dry_run"]), actor="prefect", trigger="prefect",
                   duty=spec.get("duty"), run_id=spec.get("run_id"))


@task(name="sync-schedule", cache_policy=NO_CACHE)
def sync_task(spec: dict[str, Any]) -> StepResult:
    return run_step("sync", _work(spec))


@task(name="dispatch", retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS,
      cache_policy=NO_CACHE)
def dispatch_task(spec: dict[str, Any]) -> StepResult:
    """Reminders, escalations and evidence requests; raises when a message failed, so
    Prefect retries it (the ledger re-sends only the failed messages)."""
    result = run_step("reminders", _work(spec))
    if result.status == "failed":
        raise DispatchFailed("; ".join(result.failures)[:2000])
    return result


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(spec: dict[str, Any]) -> list[StepResult]:
    """Meeting invitations, then the calendar feeds written into their folder."""
    work = _work(spec)
    return [run_step("invitations", work), run_step("calendars", work)]


@task(name="review-pack", cache_policy=NO_CACHE)
def review_pack_task(spec: dict[str, Any]) -> StepResult:
    """The annual review's report on the year under review (the final evaluation's on the
    plan), and the committees whose evidence is missing."""
    return run_step("review-pack", _work(spec))


def _daily_name() -> str:
    params = current_run.parameters or {}
    plan = f" {params['plan']}" if params.get("plan") else ""
    return f"daily-run{plan} {work_day(params.get('day'))} host {_host()}"


def _plan_run_name() -> str:
    params = current_run.parameters or {}
    return f"{params.get('plan')} {work_day(params.get('day'))} host {_host()}"


def _duty_name() -> str:
    params = current_run.parameters or {}
    duty = str(params.get("duty") or "duty")
    plan = f" {params['plan']}" if params.get("plan") else ""
    day = work_day(params.get("day"))
    host = _meeting_host(duty, day, params.get("plan"))
    return f"{duty}{plan} {day}" + (f" host {host}" if host else "")


def _host() -> str:
    from naptip.work.runlog import host_name

    return host_name()


def _meeting_host(duty: str, day: date, plan: str | None = None) -> str | None:
    from sqlalchemy import select

    from naptip.store.orm import OccurrenceRow

    try:
        db = _app().db
        query = select(OccurrenceRow.host).where(OccurrenceRow.duty_id == duty,
                                                 OccurrenceRow.due == day)
        if plan:
            query = query.where(OccurrenceRow.plan_id == plan)
        with db.reading() as session:
            host = session.execute(query).scalars().first()
        return str(host) if host else None
    except Exception:  # the name must never fail the run
        return None


def _alert(flow: Flow[..., Any], flow_run: FlowRun, state: State[Any]) -> None:
    """A failed or crashed run: close its record (a crash never reached ``finish``) and
    tell the secretariat."""
    from naptip.work import runlog
    from naptip.work.alerts import alert_failed_run

    kind = state.type.value.lower()
    text = f"{flow_run.name}: {kind}: {state.message or ''}"
    with contextlib.suppress(Exception):  # the alert goes even when the store is down
        runlog.close(_app().db, str(flow_run.id), "crashed" if state.is_crashed() else "failed",
                     f"{kind}: {' '.join((state.message or '').split())[:300]}")
    problems = alert_failed_run(_app(), text, run_id=str(flow_run.id))
    if problems:  # said where it is seen: the run's record, the outbox, the run's log
        from prefect.logging.loggers import flow_run_logger

        flow_run_logger(flow_run, flow).warning(
            "the failure alert was not delivered: %s", "; ".join(problems)[:1000])


def _close_dead(exclude: str | None) -> None:
    """Before the day's work: close naptip's runs that died without a final state (a
    machine crash took worker and flow run together), and alert."""
    from naptip.flows.recover import close_and_alert
    from naptip.work.alerts import alert_failed_run

    close_and_alert(_app().db, lambda text, rid: alert_failed_run(_app(), text, run_id=rid),
                    exclude=exclude)


def _close_record(flow: Flow[..., Any], flow_run: FlowRun, state: State[Any]) -> None:
    """A plan's run (a subflow of ``daily-run``) that failed or crashed: close its record
    (a crash never reached ``finish``); the parent run alerts, once for every plan."""
    from naptip.work import runlog

    kind = state.type.value.lower()
    with contextlib.suppress(Exception):
        runlog.close(_app().db, str(flow_run.id), "crashed" if state.is_crashed() else "failed",
                     f"{kind}: {' '.join((state.message or '').split())[:300]}")


def _execute(spec: dict[str, Any], *, close_dead: bool = True) -> RunSummary:
    from naptip.work import runlog

    work = _work(spec)
    run_id = str(current_run.id or "") or None
    if not work.duty and not work.dry_run and close_dead:
        _close_dead(run_id)
    run_id = runlog.start(work, run_id=run_id)
    spec = {**spec, "run_id": run_id}
    with runlog.heartbeat(work.db, run_id):
        return _steps(work, spec, run_id)


def _steps(work: DayWork, spec: dict[str, Any], run_id: str) -> RunSummary:
    from naptip.work import runlog

    results: list[StepResult] = []
    if not work.duty:
        results.append(sync_task(spec))
    state = dispatch_task(spec, return_state=True)
    if state.is_completed():
        results.append(state.result())
    else:
        results.append(StepResult("reminders", "failed",
                                  failures=[state.message or "dispatch failed"]))
    if not work.duty:
        results.extend(publish_task(spec))
    elif (duty := work.catalog.duties.get(work.duty)) is not None and \
            duty.flow in REVIEW_FLOWS:
        results.append(review_pack_task(spec))
    summary = runlog.finish(work.db, run_id, results)
    if summary.failed:
        failures = [f for r in summary.steps for f in r.failures]
        raise DispatchFailed(f"run {summary.id} failed: {'; '.join(failures)[:2000]}")
    return summary


@flow(name="daily-run", flow_run_name=_daily_name, on_failure=[_alert], on_crashed=[_alert])
def daily_run(day: str | None = None, dry_run: bool = False, plan: str | None = None,
              ) -> dict[str, Any]:
    """One day's work, catching up the days since the last finished run: for ``plan``
    only, or (without it, nor NAPTIP_PLAN) for each plan that needs it
    (``naptip.work.planruns``). One plan: this flow run is its run. Several: one
    ``plan-run`` subflow each, one after another; a plan whose run failed fails this run
    once the others are done."""
    the_day = work_day(day)
    plan = plan or os.environ.get("NAPTIP_PLAN") or None
    plans = [plan] if plan is not None else _plans_to_run(the_day)
    if len(plans) == 1:  # one plan: this flow run is its run, as before plans were data
        summary = _execute(_spec(the_day, dry_run=dry_run, plan=plans[0]))
        return {"id": summary.id, "status": summary.status, "plan": summary.plan,
                "runs": [{"id": summary.id, "plan": summary.plan, "status": summary.status}]}
    if not dry_run:
        _close_dead(str(current_run.id or "") or None)
    runs: list[dict[str, Any]] = []
    failed: list[str] = []
    for plan_id in plans:
        state = plan_run(plan=plan_id, day=the_day.isoformat(), dry_run=dry_run,
                         return_state=True)
        if state.is_completed():
            runs.append(state.result())
        else:
            failed.append(f"{plan_id}: {' '.join((state.message or 'failed').split())}")
            runs.append({"id": None, "plan": plan_id, "status": "failed"})
    if failed:
        raise DispatchFailed("; ".join(failed)[:2000])
    return {"id": runs[0]["id"] if runs else None, "status": "done", "runs": runs}


def _plans_to_run(day: date) -> list[str]:
    from naptip.work.planruns import closing_duties, plans_to_run

    app = _app()

    def closing_of(plan_id: str) -> frozenset[str]:
        catalog = _app(plan_id).catalog
        return closing_duties([(d.id, d.flow) for d in catalog.duties.values()])

    return [p.id for p in plans_to_run(app.plans, day, app.db, closing_of)]


@flow(name="plan-run", flow_run_name=_plan_run_name, on_failure=[_close_record],
      on_crashed=[_close_record])
def plan_run(plan: str, day: str, dry_run: bool = False) -> dict[str, Any]:
    """One plan's day's work inside ``daily-run``: its own record, catch-up and steps."""
    summary = _execute(_spec(date.fromisoformat(day), dry_run=dry_run, plan=plan),
                       close_dead=False)
    return {"id": summary.id, "plan": summary.plan, "status": summary.status}


def _duty(duty: str, day: str | None, dry_run: bool, plan: str | None) -> dict[str, Any]:
    """A duty's run in its plan's scope (``plan``: the deployment's; else NAPTIP_PLAN, else
    the default plan, as before plans were data)."""
    plan = plan or os.environ.get("NAPTIP_PLAN") or None
    summary = _execute(_spec(work_day(day), dry_run=dry_run, duty=duty, plan=plan))
    return {"id": summary.id, "status": summary.status, "plan": summary.plan}


@flow(name="meeting", flow_run_name=_duty_name, on_failure=[_alert], on_crashed=[_alert])
def meeting_flow(duty: str, day: str | None = None, dry_run: bool = False,
                 plan: str | None = None) -> dict[str, Any]:
    """A meeting series (enforcement coordination, case management, shelter managers):
    notices to the owner, the members and the host; the minutes requested after it."""
    return _duty(duty, day, dry_run, plan)


@flow(name="world-day", flow_run_name=_duty_name, on_failure=[_alert], on_crashed=[_alert])
def world_day_flow(duty: str, day: str | None = None, dry_run: bool = False,
                 plan: str | None = None) -> dict[str, Any]:
    """World Day against Trafficking in Persons: milestone reminders, evidence after it."""
    return _duty(duty, day, dry_run, plan)


@flow(name="annual-review", flow_run_name=_duty_name, on_failure=[_alert],
      on_crashed=[_alert])
def annual_review_flow(duty: str, day: str | None = None, dry_run: bool = False,
                 plan: str | None = None) -> dict[str, Any]:
    """The annual review: reminders to the committees whose evidence is missing, and the
    review pack (the year's Annual Review Report, who has not provided evidence)."""
    return _duty(duty, day, dry_run, plan)


@flow(name="final-evaluation", flow_run_name=_duty_name, on_failure=[_alert],
      on_crashed=[_alert])
def final_evaluation_flow(duty: str, day: str | None = None, dry_run: bool = False,
                 plan: str | None = None) -> dict[str, Any]:
    """The final evaluation of the plan (NAPTIP 3.0: 2025): reminders and the plan's final
    report (``plan``'s, closed or not)."""
    return _duty(duty, day, dry_run, plan)


@flow(name="duty-run", flow_run_name=_duty_name, on_failure=[_alert], on_crashed=[_alert])
def duty_run(duty: str, day: str | None = None, dry_run: bool = False,
                 plan: str | None = None) -> dict[str, Any]:
    """The flow of a duty whose kind naptip does not know (an agency plugin's own
    ``flow = ...``): its reminders and evidence requests, deployed like the built-ins."""
    return _duty(duty, day, dry_run, plan)


FLOWS: dict[str, Any] = {"meeting": meeting_flow, "world-day": world_day_flow,
                         "annual-review": annual_review_flow,
                         "final-evaluation": final_evaluation_flow}


def flow_for(kind: str) -> Any:
    """The flow a duty's ``flow = KIND`` runs (``duty-run`` for kinds naptip does not know)."""
    return FLOWS.get(kind, duty_run)
