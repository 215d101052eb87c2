"""Which hospitals may lead a medical community, and why the others may not.

The rule works on plain values (the strings of the data contract), so it can be
applied to a table row, a form in the app or a test without any geodata object.
The default is the national policy reading: a lead hospital is non-profit
(public or private non-profit), grade II or above, and general, TCM or
integrated (Chinese and Western medicine). Every part of the rule is
configurable; a hospital that fails it gets one reason per broken part.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from geodata.errors import SettingsError

__all__ = [
    "GRADE_RANK",
    "KINDS",
    "OWNERSHIPS",
    "SPECIALTIES",
    "Eligibility",
    "IneligibleReason",
    "LeadRule",
    "check_lead",
]

#: Grades from lowest to highest; ``none`` is an ungraded facility.
GRADE_RANK: dict[str, int] = {"none": 0, "I": 1, "II": 2, "III": 3}
#: Facility kinds of the data contract.
KINDS: tuple[str, ...] = ("county_hospital", "township_health_center", "community_health_center", "other")
#: Ownership values of the data contract.
OWNERSHIPS: tuple[str, ...] = ("public", "private_nonprofit", "private_forprofit")
#: Specialty values of the data contract.
SPECIALTIES: tuple[str, ...] = ("general", "tcm", "integrated", "maternal_child", "other")


@dataclass(frozen=True)
class IneligibleReason:
    """One part of the lead rule a hospital fails.

    Attributes
    ----------
    key
        Stable machine key: ``ownership``, ``grade``, ``specialty`` or ``kind``.
    message
        The reason in plain English, e.g. ``"grade I is below the minimum grade II"``.
    """

    key: str
    message: str


@dataclass(frozen=True)
class Eligibility:
    """Whether a hospital may lead a community, with every reason it may not.

    Attributes
    ----------
    eligible
        ``True`` when no part of the rule is broken.
    reasons
        One :class:`IneligibleReason` per broken part, empty when eligible.
    """

    eligible: bool
    reasons: tuple[IneligibleReason, ...] = ()

    @property
    def message(self) -> str:
        """All reasons joined in one sentence, or ``"eligible"``."""
        return "eligible" if self.eligible else "; ".join(r.message for r in self.reasons)


def _frozen(values: Iterable[str] | None, known: tuple[str, ...], what: str) -> frozenset[str] | None:
    if values is None:
        return None
    chosen = frozenset(values)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise SettingsError(f"unknown {what} {unknown}; expected some of {list(known)}")
    return chosen


@dataclass(frozen=True)
class LeadRule:
    """The configurable rule for lead hospitals.

    Parameters
    ----------
    ownerships
        Ownerships allowed to lead (default public and private non-profit).
    min_grade
        Lowest grade allowed (``"III"``, ``"II"``, ``"I"`` or ``"none"``; default ``"II"``).
    specialties
        Specialties allowed (default general, TCM and integrated).
    kinds
        Facility kinds allowed; ``None`` (default) allows every kind, since the
        grade rule already keeps most health centres out.
    """

    ownerships: frozenset[str] | None = field(default=frozenset({"public", "private_nonprofit"}))
    min_grade: str = "II"
    specialties: frozenset[str] | None = field(default=frozenset({"general", "tcm", "integrated"}))
    kinds: frozenset[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ownerships", _frozen(self.ownerships, OWNERSHIPS, "ownerships"))
        object.__setattr__(self, "specialties", _frozen(self.specialties, SPECIALTIES, "specialties"))
        object.__setattr__(self, "kinds", _frozen(self.kinds, KINDS, "kinds"))
        if self.min_grade not in GRADE_RANK:
            raise SettingsError(f"unknown min_grade {self.min_grade!r}; expected one of {list(GRADE_RANK)}")

    def check(self, *, kind: str, grade: str, ownership: str, specialty: str) -> Eligibility:
        """Check one hospital; see :func:`check_lead`."""
        reasons: list[IneligibleReason] = []
        if self.ownerships is not None and ownership not in self.ownerships:
            allowed = " or ".join(sorted(o.replace("_", " ") for o in self.ownerships))
            reasons.append(
                IneligibleReason(
                    "ownership", f"ownership {ownership.replace('_', ' ')} is not allowed (must be {allowed})"
                )
            )
        if grade not in GRADE_RANK:
            reasons.append(IneligibleReason("grade", f"grade {grade!r} is unknown"))
        elif GRADE_RANK[grade] < GRADE_RANK[self.min_grade]:
            shown = "ungraded" if grade == "none" else f"grade {grade}"
            reasons.append(IneligibleReason("grade", f"{shown} is below the minimum grade {self.min_grade}"))
        if self.specialties is not None and specialty not in self.specialties:
            allowed = ", ".join(sorted(self.specialties))
            reasons.append(
                IneligibleReason(
                    "specialty", f"specialty {specialty} is not allowed (must be one of {allowed})"
                )
            )
        if self.kinds is not None and kind not in self.kinds:
            allowed = ", ".join(sorted(self.kinds))
            reasons.append(IneligibleReason("kind", f"kind {kind} is not allowed (must be one of {allowed})"))
        return Eligibility(not reasons, tuple(reasons))


def check_lead(
    kind: str, grade: str, ownership: str, specialty: str, *, rule: LeadRule | None = None
) -> Eligibility:
    """Whether a hospital may lead a medical community.

    Parameters
    ----------
    kind, grade, ownership, specialty
        The hospital's values in the data contract's vocabulary
        (e.g. ``"county_hospital"``, ``"II"``, ``"public"``, ``"tcm"``).
    rule
        The rule to apply; the default :class:`LeadRule` when ``None``.

    Returns
    -------
    Eligibility
        ``eligible`` and one reason per broken part of the rule.

    Examples
    --------
    >>> [r.key for r in check_lead("county_hospital", "I", "private_forprofit", "general").reasons]
    ['ownership', 'grade']
    >>> check_lead("county_hospital", "I", "public", "tcm").message
    'grade I is below the minimum grade II'
    """
    return (rule or LeadRule()).check(kind=kind, grade=grade, ownership=ownership, specialty=specialty)
