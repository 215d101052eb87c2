"""Every ``st.session_state`` key of the app in one place, and the undo/redo history as plain data.

Streamlit keeps widget values and the app's own objects in ``st.session_state``
under string keys. The app uses no other key than those named in :class:`Keys`
(a test checks that no page module spells a key as a bare string), so it is
always clear what survives a rerun.

:class:`History` is an immutable undo/redo stack: ``push`` records a new
present state and forgets the redo branch, ``undo``/``redo`` move along it.
It holds whatever the caller puts in (the app puts
:class:`~planner.ui.workbench.Snapshot` objects), knows nothing of Streamlit,
and is tested on its own.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from typing import Any, Final, Generic, TypeVar

__all__ = ["HISTORY_LIMIT", "REGION_BOUND", "History", "Keys", "leave_region"]

T = TypeVar("T")

#: Undo steps kept (older ones are dropped).
HISTORY_LIMIT: Final = 50


class Keys:
    """Names of the session-state entries (app objects first, then widgets)."""

    # app objects
    WORKBENCH: Final = "workbench"  # planner.ui.workbench.Workbench of the region being planned
    JOB: Final = "job"  # planner.ui.runner.Job of a run in progress (or just finished)
    CLICK_SEEN: Final = "click_seen"  # signature of the last map click already acted on
    SELECTED: Final = "selected"  # (kind, code) of the object the planner clicked last
    FLASH: Final = "flash"  # list of (level, message) to show once on the next run
    RUN_OUTCOME: Final = "run_outcome"  # (snapshot, level, message) of the last run, shown while its plan is
    SCENARIOS: Final = "scenarios"  # name -> planner.ui.scenarios.SavedScenario
    UPLOAD: Final = "upload"  # planner.ui.uploads.UploadSession of files being checked
    LAST_TIMING: Final = "last_timing"  # seconds of the last edit -> re-solve -> map step
    REOPTIMISE_ASKED: Final = "reoptimise_asked"  # county whose re-optimisation awaits the planner's confirm
    SECTION_SHOWN: Final = (
        "section_shown"  # the bottom section last shown (kept when its tab is clicked again)
    )
    SCROLL_TO_PLAN: Final = "scroll_to_plan"  # scroll the page up to the plan (its frame, until when)
    START_FAILURE: Final = "start_failure"  # (paths, report) of --region files unusable at page open
    PHASE_RESULT: Final = "phase_result"  # (planner.phasing.PhaseResult, Region) of the last phased run
    # widgets
    LANG: Final = "lang"
    MODE: Final = "click_mode"
    STATUS_TO: Final = "status_to"
    PAINT_LEAD: Final = "paint_lead"
    AUTO_SOLVE: Final = "auto_solve"
    COLOUR_BY: Final = "colour_by"
    SHOW_CATCHMENTS: Final = "show_catchments"
    SHOW_UNASSIGNED: Final = "show_unassigned"
    SHOW_NONCONTIGUOUS: Final = "show_noncontiguous"
    SHOW_FACILITIES: Final = "show_facilities"
    TILE_URL: Final = "tile_url"
    TILE_ATTRIBUTION: Final = "tile_attribution"
    MAP: Final = "plan_map"
    MAP_FRAME: Final = "plan_map_frame"  # the container of the map (CSS class st-key-plan_map_frame sizes it)
    SCENARIO_NAME: Final = "scenario_name"
    SCENARIO_PICK: Final = "scenario_pick"
    SCENARIO_FILE: Final = "scenario_file"
    COMPARE_A: Final = "compare_a"
    COMPARE_B: Final = "compare_b"
    UPLOAD_FILES: Final = "upload_files"
    EXPORT_FORMAT: Final = "export_format"
    EXPORT_SCENARIO: Final = "export_scenario"
    SECTION: Final = "section"
    ALL_SITES: Final = "all_sites"
    COMPARE_MAPS: Final = "compare_maps"
    COMPARE_MAP_A: Final = "compare_map_a"
    COMPARE_MAP_B: Final = "compare_map_b"
    MOVE_TARGET: Final = "move_target"  # + township code: the community a selected township moves to
    SITE_NAME: Final = "site_name."  # + facility id: name of an added site
    SITE_KIND: Final = "site_kind."  # + facility id: facility type of an added site
    PHASE_YEARS: Final = "phase_years"
    PHASE_NEW_SITES: Final = "phase_new_sites"
    PHASE_COUNTY_NEW_SITES: Final = "phase_county_new_sites"
    PHASE_BED_BUDGET: Final = "phase_bed_budget"
    PHASE_DEADLINE: Final = "phase_deadline"
    PHASE_YEAR: Final = "phase_year"
    PHASE_MAP: Final = "phase_map."  # + year
    # buttons
    STOP: Final = "button.stop"
    UNDO: Final = "button.undo"
    REDO: Final = "button.redo"
    SET_STATUS: Final = "button.status."  # + status
    MOVE: Final = "button.move"
    LOCK: Final = "button.lock"
    REOPTIMISE: Final = "button.reoptimise"
    REOPTIMISE_GO: Final = "button.reoptimise_go"
    REOPTIMISE_CANCEL: Final = "button.reoptimise_cancel"
    UNLOCK_TOWNSHIP: Final = "button.unlock_township"
    SAVE_SITE: Final = "button.save_site"
    REMOVE_SITE: Final = "button.remove_site"
    SAVE: Final = "button.save"
    LOAD: Final = "button.load"
    DUPLICATE: Final = "button.duplicate"
    COMPARE_DOWNLOAD: Final = "button.compare_download"
    UPLOAD_CHECK: Final = "button.upload_check"
    UPLOAD_RECHECK: Final = "button.upload_recheck"
    UPLOAD_PLAN: Final = "button.upload_plan"
    BACK_TO_DEMO: Final = "button.back_to_demo"
    DOWNLOAD: Final = "button.download."  # + format
    #: Prefix of the parameter widgets: ``param.<field of planner.ui.workbench.Parameters>``.
    PARAM_PREFIX: Final = "param."
    #: Prefix of the column-mapping and CRS widgets of an upload: ``upload.<layer>.<field>``.
    UPLOAD_PREFIX: Final = "upload."

    #: Widgets whose options are shown in the chosen language: re-sent after a language switch, since
    #: Streamlit keeps an option widget's value as the text of its option.
    TRANSLATED: Final = (MODE, STATUS_TO, PAINT_LEAD, COLOUR_BY, SECTION, PARAM_PREFIX + "objective")

    @classmethod
    def param(cls, name: str) -> str:
        """Widget key of the parameter ``name``."""
        return cls.PARAM_PREFIX + name

    @classmethod
    def upload(cls, layer: str, name: str) -> str:
        """Widget key of an upload setting (a column mapping or a coordinate system) of ``layer``."""
        return f"{cls.UPLOAD_PREFIX}{layer}.{name}"


#: What belongs to the region on screen and must go when another region is planned (uploaded files,
#: back to the demo): the clicked object, the phased plan with its year and the last run's outcome.
REGION_BOUND: Final = (Keys.SELECTED, Keys.PHASE_RESULT, Keys.PHASE_YEAR, Keys.RUN_OUTCOME)


def leave_region(state: MutableMapping[Any, Any]) -> None:
    """Forget what was shown of the region being left (:data:`REGION_BOUND`)."""
    for key in REGION_BOUND:
        state.pop(key, None)


@dataclass(frozen=True)
class History(Generic[T]):
    """An undo/redo stack: past states, the present one, and undone states that can be redone.

    Attributes
    ----------
    present
        The current state.
    past
        Earlier states, oldest first.
    future
        Undone states, the next one to redo first.
    limit
        Most past states kept.
    """

    present: T
    past: tuple[T, ...] = ()
    future: tuple[T, ...] = ()
    limit: int = HISTORY_LIMIT

    @property
    def can_undo(self) -> bool:
        """Whether there is a state to go back to."""
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        """Whether an undone state can be restored."""
        return bool(self.future)

    def push(self, state: T) -> History[T]:
        """Make ``state`` the present; the old present becomes undoable and the redo branch is dropped."""
        past = (*self.past, self.present)[-self.limit :] if self.limit > 0 else ()
        return replace(self, present=state, past=past, future=())

    def replace_present(self, state: T) -> History[T]:
        """Swap the present state without a new undo step (e.g. the re-solve that completes an edit)."""
        return replace(self, present=state)

    def undo(self) -> History[T]:
        """Go back one state (unchanged when there is none)."""
        if not self.past:
            return self
        return replace(self, present=self.past[-1], past=self.past[:-1], future=(self.present, *self.future))

    def redo(self) -> History[T]:
        """Restore the last undone state (unchanged when there is none)."""
        if not self.future:
            return self
        return replace(self, present=self.future[0], past=(*self.past, self.present), future=self.future[1:])
