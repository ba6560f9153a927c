"""The review actions of issue 10 as a Dagster job (``vocwh_review``): the same core function
as ``vocwh review|approve|reopen``, launched from the UI with run config, so a bureau that
works in Dagster records who did what without a shell. A refused action fails the run with
the clerk's message and writes nothing."""

import dagster as dg

from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.store.review import ReviewError, act


class ReviewActionConfig(dg.Config):
    action: str  # review / approve / reopen
    year: int
    template: str = ""  # required unless all
    submitter: str = ""  # one submitter, or all=True
    by: str = ""
    reason: str = ""
    all: bool = False  # as `vocwh review|approve --all`: every submission of the year ready for it
    county: str = ""  # with all: one county's submitters


@dg.op
def review_action(context: dg.OpExecutionContext, config: ReviewActionConfig, vocwh: VocwhResource, run_lock: RunLockResource) -> None:
    try:
        done = act(
            vocwh.settings().warehouse_path,
            config.action,
            config.year,
            config.by,
            template=config.template,
            submitter=config.submitter,
            every=config.all,
            county=config.county,
            reason=config.reason,
        )
    except ReviewError as e:
        raise dg.Failure(description=str(e)) from None
    for r in done:
        context.log.info(f"{r.action}: {r.template} {r.submitter_code} {r.year} v{r.version} by {r.by_name} ({r.os_user})")


@dg.job(description="审核 / 审批 / 重新开放 review, approve or reopen one submission (issue 10); takes effect on the next run")
def vocwh_review() -> None:
    review_action()
