"""A deals import's stages: the distinct stage values of the file, each mapped to a stage of the chosen pipeline.

Another CRM's stages rarely carry our names (amoCRM's "Первичный контакт", "Успешно реализовано"), so, as HubSpot's
importer does, the preview lists every stage value the file holds and the importer maps each to a stage of the
pipeline the rows go to. A value is pre-filled with the stage of its name (case and ё folded), and amoCRM's two
closed stages with the pipeline's won and lost stages; a value left unmapped fails its rows. The choice is kept on
the import (``ImportJob.choices``), so every run of it, resumed or retried, maps the rows alike.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import sheets
from chalicelib.dataio.mapping import Choices
from chalicelib.records import matching

MAX_VALUES = 100  # values listed for mapping; a file with more keeps matching the rest by name
# amoCRM's, HubSpot's and Bitrix24's closed stages, as they export them
WON = frozenset({"успешно реализовано", "closed won", "сделка успешна"})
LOST = frozenset({"закрыто и не реализовано", "closed lost", "сделка провалена"})


def _invalid(loc: list[str], message: str, kind: str) -> errors.ValidationError:
    return errors.ValidationError(details=[{"loc": loc, "msg": message, "type": kind}])


def _column(sheet: sheets.Sheet, mapping: dict[str, str | None], target: str) -> int | None:
    return next((sheet.headers.index(header) for header, found in mapping.items()
                 if found == target and header in sheet.headers), None)


def _closed(row: list[str], column: int | None) -> bool:
    """Whether the row's status column says won or lost: its stage is not where the deal goes then."""
    from chalicelib.dataio.deal_target import deal_status

    if column is None or column >= len(row):
        return False
    try:
        return deal_status(row[column]) in ("won", "lost")
    except errors.ValidationError:  # a status no one can read: the row fails on it, not on its stage
        return False


def values_of(sheet: sheets.Sheet, mapping: dict[str, str | None]) -> list[tuple[str, int]]:
    """The distinct stage values of the file (as first written, folded alike once) and how many rows hold each; a
    won or lost row's stage (Pipedrive's "Deal - Stage" beside "Deal - Status") is no value to map."""
    column, status = _column(sheet, mapping, "stage"), _column(sheet, mapping, "status")
    if column is None:
        return []
    counts: dict[str, list[Any]] = {}
    for row in sheet.rows:
        cell = row[column].strip() if column < len(row) else ""
        if cell and not _closed(row, status):
            counts.setdefault(matching.fold(cell), [cell, 0])[1] += 1
    return [(written, count) for written, count in counts.values()][:MAX_VALUES]


def _pipeline(ctx: TenantContext, pipeline_id: str | None) -> Any:
    from chalicelib.deals import pipelines

    found = pipelines.list_pipelines(ctx)
    if pipeline_id is None:
        return next((p for p in found if p.is_default), found[0])
    pipeline = next((p for p in found if p.pipeline_id == pipeline_id), None)
    if pipeline is None:
        raise _invalid(["pipeline_id"], "No such pipeline", "unknown_pipeline")
    return pipeline


def suggested(pipeline: Any, value: str) -> str | None:
    """The stage a value maps to unless the importer says otherwise: the stage of its name, amoCRM's closed ones to
    the won and lost stages, else none."""
    folded = matching.fold(value)
    named = next((stage for stage in pipeline.stages if matching.fold(stage.name) == folded), None)
    if named is not None:
        return str(named.stage_id)
    kind = "won" if folded in WON else "lost" if folded in LOST else None
    closed = next((stage for stage in pipeline.stages if stage.stage_kind == kind), None) if kind else None
    return str(closed.stage_id) if closed is not None else None


def choose(ctx: TenantContext, entity: str, sheet: sheets.Sheet, mapping: dict[str, str | None],
           pipeline_id: str | None, given: dict[str, str | None] | None, kept: Choices | None = None) -> Choices:
    """The pipeline and stage of each stage value: suggested, then as chosen before (``kept``, in the same pipeline),
    then as the importer gives now (422 for a value the file does not hold, a stage of another pipeline, or stages
    given for what is not a deals import)."""
    if entity != "deal":
        if pipeline_id is not None or given:
            raise _invalid(["stages"], "Only a deals import maps stages", "not_a_deals_import")
        return Choices()
    pipeline = _pipeline(ctx, pipeline_id)
    stage_ids = {str(stage.stage_id) for stage in pipeline.stages}
    values = values_of(sheet, mapping)
    stages = {matching.fold(value): suggested(pipeline, value) for value, _ in values}
    if kept is not None and kept.pipeline_id == pipeline.pipeline_id:
        stages.update({value: stage_id for value, stage_id in kept.stages.items()
                       if value in stages and (stage_id is None or stage_id in stage_ids)})
    problems = []
    for value, stage_id in (given or {}).items():
        if matching.fold(value) not in stages:
            problems.append({"loc": ["stages", value], "msg": "No row of the file has this stage",
                             "type": "unknown_stage_value"})
        elif stage_id is not None and stage_id not in stage_ids:
            problems.append({"loc": ["stages", value], "msg": f"No such stage in {pipeline.name}",
                             "type": "unknown_stage"})
        else:
            stages[matching.fold(value)] = stage_id
    if problems:
        raise errors.ValidationError(details=problems)
    return Choices(pipeline_id=str(pipeline.pipeline_id), stages=stages)


def listed(sheet: sheets.Sheet, mapping: dict[str, str | None], choices: Choices) -> list[dict[str, Any]]:
    """Each stage value of the file, its rows and the stage it maps to, as the preview shows them."""
    return [{"value": value, "rows": count, "stage_id": choices.stages.get(matching.fold(value))}
            for value, count in values_of(sheet, mapping)]
