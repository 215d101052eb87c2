"""The data contract of a region: layers, columns, Chinese/English aliases and enumerations.

A region is three layers -- counties, townships, facilities -- plus two optional
tables, township population and a travel matrix. Each column is described once
here (canonical name, aliases a planner's file may use, kind of value, default)
and every reader, check and export works from this description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "COLUMNS",
    "ENUM_ALIASES",
    "MAX_HOSPICE_BEDS",
    "MAX_TOWNSHIP_POPULATION",
    "Column",
    "FacilityKind",
    "Grade",
    "Layer",
    "Ownership",
    "SiteStatus",
    "Specialty",
    "normalise_header",
]


class Layer(StrEnum):
    """The layers and tables a region is made of."""

    COUNTIES = "counties"
    TOWNSHIPS = "townships"
    FACILITIES = "facilities"
    POPULATION = "population"
    TRAVEL = "travel"
    GROUPING = "grouping"


class FacilityKind(StrEnum):
    """What a facility is (DESIGN §2)."""

    COUNTY_HOSPITAL = "county_hospital"
    TOWNSHIP_HEALTH_CENTER = "township_health_center"
    COMMUNITY_HEALTH_CENTER = "community_health_center"
    OTHER = "other"


class Grade(StrEnum):
    """Hospital grade (三级/二级/一级/未定级)."""

    III = "III"
    II = "II"
    I = "I"  # noqa: E741 - the grade's own name
    NONE = "none"

    @property
    def rank(self) -> int:
        """3 for grade III down to 0 for ungraded."""
        return {"III": 3, "II": 2, "I": 1, "none": 0}[self.value]


class Ownership(StrEnum):
    """Who owns a facility, as far as lead eligibility cares."""

    PUBLIC = "public"
    PRIVATE_NONPROFIT = "private_nonprofit"
    PRIVATE_FORPROFIT = "private_forprofit"


class Specialty(StrEnum):
    """A hospital's specialty."""

    GENERAL = "general"
    TCM = "tcm"
    INTEGRATED = "integrated"
    MATERNAL_CHILD = "maternal_child"
    OTHER = "other"


class SiteStatus(StrEnum):
    """Role of a facility in hospice siting."""

    EXISTING = "existing"
    CANDIDATE = "candidate"
    EXCLUDED = "excluded"


#: Values planners write for each enumeration, mapped to the canonical value.
#: Matching is case-insensitive and ignores spaces, hyphens and underscores.
ENUM_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    FacilityKind: {
        "countyhospital": "county_hospital",
        "hospital": "county_hospital",
        "县级医院": "county_hospital",
        "县医院": "county_hospital",
        "医院": "county_hospital",
        "综合医院": "county_hospital",
        "中医院": "county_hospital",
        "中医医院": "county_hospital",
        "人民医院": "county_hospital",
        "townshiphealthcenter": "township_health_center",
        "townshiphealthcentre": "township_health_center",
        "乡镇卫生院": "township_health_center",
        "卫生院": "township_health_center",
        "中心卫生院": "township_health_center",
        "乡卫生院": "township_health_center",
        "镇卫生院": "township_health_center",
        "communityhealthcenter": "community_health_center",
        "communityhealthcentre": "community_health_center",
        "社区卫生服务中心": "community_health_center",
        "社区中心": "community_health_center",
        "other": "other",
        "其他": "other",
        "其它": "other",
    },
    Grade: {
        "iii": "III",
        "3": "III",
        "三级": "III",
        "三甲": "III",
        "三乙": "III",
        "三级甲等": "III",
        "三级乙等": "III",
        "grade3": "III",
        "classiii": "III",
        "ii": "II",
        "2": "II",
        "二级": "II",
        "二甲": "II",
        "二乙": "II",
        "二级甲等": "II",
        "二级乙等": "II",
        "grade2": "II",
        "classii": "II",
        "i": "I",
        "1": "I",
        "一级": "I",
        "一甲": "I",
        "一乙": "I",
        "grade1": "I",
        "classi": "I",
        "none": "none",
        "0": "none",
        "未定级": "none",
        "无": "none",
        "ungraded": "none",
        "": "none",
    },
    Ownership: {
        "public": "public",
        "公立": "public",
        "公办": "public",
        "政府办": "public",
        "国有": "public",
        "privatenonprofit": "private_nonprofit",
        "nonprofit": "private_nonprofit",
        "民营非营利": "private_nonprofit",
        "非营利": "private_nonprofit",
        "社会办非营利": "private_nonprofit",
        "privateforprofit": "private_forprofit",
        "forprofit": "private_forprofit",
        "private": "private_forprofit",
        "民营营利": "private_forprofit",
        "营利": "private_forprofit",
        "民营": "private_forprofit",
        "社会办营利": "private_forprofit",
    },
    Specialty: {
        "general": "general",
        "综合": "general",
        "综合医院": "general",
        "tcm": "tcm",
        "中医": "tcm",
        "中医院": "tcm",
        "中医医院": "tcm",
        "integrated": "integrated",
        "中西医结合": "integrated",
        "中西医": "integrated",
        "maternalchild": "maternal_child",
        "妇幼": "maternal_child",
        "妇幼保健": "maternal_child",
        "妇幼保健院": "maternal_child",
        "other": "other",
        "专科": "other",
        "其他": "other",
        "其它": "other",
    },
    SiteStatus: {
        "existing": "existing",
        "现有": "existing",
        "已有": "existing",
        "已设": "existing",
        "开设": "existing",
        "candidate": "candidate",
        "候选": "candidate",
        "备选": "candidate",
        "可选": "candidate",
        "excluded": "excluded",
        "排除": "excluded",
        "不可选": "excluded",
        "不设": "excluded",
    },
}

ValueKind = Literal["code", "id", "text", "count", "number", "enum", "flag"]


@dataclass(frozen=True)
class Column:
    """One column of the data contract.

    Attributes
    ----------
    name
        Canonical (English, snake_case) name used inside the tool.
    label_zh, label_en
        Labels for tables, exports and the app.
    kind
        ``code`` (administrative digits, kept as text), ``id`` (free text
        identifier), ``text``, ``count`` (non-negative integer), ``number``,
        ``enum`` or ``flag``.
    aliases
        Other header names recognised for this column (Chinese and English).
    required
        Whether a file of the layer must have it.
    default
        Value used when the column is absent (reported as info).
    enum
        Enumeration of allowed values for ``kind == "enum"``.
    digits
        Allowed lengths of a ``code``.
    bounds
        ``(lowest, highest)`` value a ``count`` or ``number`` may take; a
        value outside (or not finite) is an error naming row and field.
        Travel minutes and km keep the default (no bounds): the matrix's own
        checks (:mod:`geodata.travel_report`) name a negative or infinite
        cost with its pair and say how to state an unreachable one.
    """

    name: str
    label_zh: str
    label_en: str
    kind: ValueKind
    aliases: tuple[str, ...] = ()
    required: bool = True
    default: Any = None
    enum: type[StrEnum] | None = None
    digits: tuple[int, ...] = ()
    bounds: tuple[float, float] = (float("-inf"), float("inf"))


#: Most residents a township (or its 60+ population) can have: the largest 街道 have about one million.
MAX_TOWNSHIP_POPULATION = 10_000_000
#: Most hospice beds one facility can hold (Beijing plans 1,800 for the whole city).
MAX_HOSPICE_BEDS = 5_000
_POPULATION = (0, MAX_TOWNSHIP_POPULATION)


_COUNTY_CODE = Column(
    "county_code",
    "县级代码",
    "County code",
    "code",
    (
        "县代码",
        "区县代码",
        "县级行政区划代码",
        "行政区划代码",
        "countycode",
        "county_id",
        "adcode",
        "gb",
        "code",
    ),
    digits=(6,),
)
_TOWNSHIP_CODE = Column(
    "township_code",
    "乡镇代码",
    "Township code",
    "code",
    (
        "乡镇街道代码",
        "乡镇行政区划代码",
        "街道代码",
        "乡级代码",
        "townshipcode",
        "town_code",
        "towncode",
        "township_id",
        "code",
    ),
    digits=(9,),
)

_CRS = Column(
    "crs",
    "坐标系",
    "Coordinate system",
    "text",
    ("坐标系", "坐标系统", "coord_system", "coordsys"),
    required=False,
)
_SYNTHETIC = Column(
    "synthetic", "合成数据", "Synthetic", "flag", ("合成", "虚拟", "is_synthetic"), required=False
)
_COUNTY_NAME = Column(
    "county_name",
    "县级名称",
    "County",
    "text",
    ("县名", "区县名称", "县级行政区", "名称", "countyname", "county", "name"),
)
_TOWNSHIP_NAME = Column(
    "township_name",
    "乡镇名称",
    "Township",
    "text",
    ("乡镇", "乡镇街道", "乡镇街道名称", "街道名称", "townshipname", "township", "town", "name"),
)
_POPULATION_TOTAL = Column(
    "population",
    "常住人口",
    "Population",
    "count",
    ("人口", "总人口", "常住人口数", "户籍人口", "pop", "popu", "pop_total", "total_population"),
    bounds=_POPULATION,
)
_POPULATION_60 = Column(
    "population_60plus",
    "60岁及以上人口",
    "Population 60+",
    "count",
    (
        "60岁及以上人口",
        "60岁以上人口",
        "老年人口",
        "老龄人口",
        "pop60",
        "pop_60plus",
        "aged60",
        "pop60plus",
        "population60",
        "populati_1",  # a Shapefile's 10-character cut of population_60plus
    ),
    required=False,
    bounds=_POPULATION,
)


def _optional(column: Column, aliases: tuple[str, ...] | None = None) -> Column:
    """``column`` where a file may leave it out, with fewer header names where a generic one would mislead."""
    return replace(column, required=False, aliases=column.aliases if aliases is None else aliases)


#: A county code in a layer other than the counties': not ``gb`` or ``code`` (that layer's own code).
_COUNTY_CODE_OF = _optional(_COUNTY_CODE, _COUNTY_CODE.aliases[:-2])


COLUMNS: dict[Layer, tuple[Column, ...]] = {
    Layer.COUNTIES: (
        _COUNTY_CODE,
        _COUNTY_NAME,
        Column("source", "数据来源", "Source", "text", ("来源", "数据来源"), required=False),
    ),
    Layer.TOWNSHIPS: (
        _TOWNSHIP_CODE,
        _TOWNSHIP_NAME,
        _COUNTY_CODE_OF,
        _optional(_POPULATION_TOTAL),
        _POPULATION_60,
        Column(
            "seat_lon",
            "驻地经度",
            "Seat longitude",
            "number",
            ("驻地经度", "seatlon", "seat_x", "经度", "lon", "lng", "longitude"),
            required=False,
        ),
        Column(
            "seat_lat",
            "驻地纬度",
            "Seat latitude",
            "number",
            ("驻地纬度", "seatlat", "seat_y", "纬度", "lat", "latitude"),
            required=False,
        ),
        _CRS,
        Column(
            "area_approximate",
            "近似范围",
            "Approximate area",
            "flag",
            ("近似范围", "面积近似", "approximate_area", "area_approx"),
            required=False,
        ),
        _SYNTHETIC,
    ),
    Layer.FACILITIES: (
        Column(
            "facility_id",
            "机构代码",
            "Facility ID",
            "id",
            ("机构编码", "机构代码", "机构ID", "编号", "组织机构代码", "facilityid", "id", "code"),
        ),
        Column(
            "name", "机构名称", "Name", "text", ("机构名称", "医院名称", "名称", "facility_name", "facility")
        ),
        Column(
            "kind",
            "机构类别",
            "Kind",
            "enum",
            ("机构类别", "机构类型", "类别", "类型", "type", "category"),
            enum=FacilityKind,
        ),
        Column(
            "grade",
            "等级",
            "Grade",
            "enum",
            ("医院等级", "等级", "级别", "level"),
            required=False,
            default=Grade.NONE.value,
            enum=Grade,
        ),
        Column(
            "ownership",
            "所有制",
            "Ownership",
            "enum",
            ("所有制", "经营性质", "性质", "举办主体", "owner"),
            required=False,
            default=Ownership.PUBLIC.value,
            enum=Ownership,
        ),
        Column(
            "specialty",
            "专科类型",
            "Specialty",
            "enum",
            ("专科", "专科类型", "医院类型", "类型2"),
            required=False,
            default=Specialty.GENERAL.value,
            enum=Specialty,
        ),
        Column(
            "hospice_beds",
            "安宁疗护床位",
            "Hospice beds",
            "count",
            ("安宁疗护床位", "安宁疗护床位数", "床位", "beds", "hospicebeds"),
            required=False,
            default=0,
            bounds=(0, MAX_HOSPICE_BEDS),
        ),
        Column(
            "status",
            "选址状态",
            "Siting status",
            "enum",
            ("状态", "选址状态", "sitestatus"),
            required=False,
            default=None,
            enum=SiteStatus,
        ),
        _optional(_TOWNSHIP_CODE, _TOWNSHIP_CODE.aliases[:-1]),  # not code, the facility's own
        _COUNTY_CODE_OF,
        Column(
            "lon", "经度", "Longitude", "number", ("经度", "lng", "long", "longitude", "x"), required=False
        ),
        Column("lat", "纬度", "Latitude", "number", ("纬度", "latitude", "y"), required=False),
        _CRS,
        _SYNTHETIC,
    ),
    Layer.POPULATION: (
        # Without codes, rows are matched to townships by name (and county): geodata.township_names.
        _optional(_TOWNSHIP_CODE),
        _optional(_TOWNSHIP_NAME),
        _COUNTY_CODE_OF,
        _optional(_COUNTY_NAME, _COUNTY_NAME.aliases[:3] + _COUNTY_NAME.aliases[4:6]),  # not 名称, name
        _POPULATION_TOTAL,
        _POPULATION_60,
    ),
    Layer.TRAVEL: (
        _TOWNSHIP_CODE,
        Column(
            "facility_id",
            "机构代码",
            "Facility ID",
            "id",
            ("机构编码", "机构代码", "机构ID", "facilityid", "id"),
        ),
        Column(
            "minutes",
            "行程时间(分钟)",
            "Minutes",
            "number",
            ("分钟", "时间", "行程时间", "通行时间", "time", "duration", "duration_min", "min"),
            required=False,
        ),
        Column(
            "km",
            "距离(公里)",
            "Distance (km)",
            "number",
            ("公里", "距离", "里程", "distance", "distance_km", "dist"),
            required=False,
        ),
    ),
    Layer.GROUPING: (
        _TOWNSHIP_CODE,
        Column(
            "lead_facility_id",
            "牵头医院代码",
            "Lead hospital ID",
            "id",
            ("牵头医院", "牵头医院编码", "牵头机构代码", "lead", "lead_id", "leadfacilityid", "facility_id"),
            required=False,
        ),
        Column(
            "community",
            "医共体",
            "Community",
            "text",
            ("医共体名称", "医共体", "县域医共体", "community_name", "group", "组"),
            required=False,
        ),
    ),
}

_HEADER_JUNK = re.compile(r"[\s_\-()（）/]+")


def normalise_header(text: str) -> str:
    """Fold a header for matching: lower case, no spaces, underscores, hyphens or brackets."""
    return _HEADER_JUNK.sub("", str(text).strip().lower())


def column(layer: Layer, name: str) -> Column:
    """The contract's column ``name`` of ``layer``."""
    for col in COLUMNS[layer]:
        if col.name == name:
            return col
    raise KeyError(f"{layer} has no column {name!r}")


def enum_value(enum: type[StrEnum], raw: Any) -> str | None:
    """Canonical value of ``raw`` in ``enum``, or ``None`` if not recognised.

    Parameters
    ----------
    enum
        One of the enumerations above.
    raw
        A cell as read from the file.

    Returns
    -------
    str or None
        The canonical value, e.g. ``"II"`` for ``"二级甲等"``.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    for member in enum:
        if text == member.value:
            return member.value
    folded = normalise_header(text)
    for member in enum:
        if folded == normalise_header(member.value):
            return member.value
    return ENUM_ALIASES.get(enum, {}).get(folded)


def labels(lang: str) -> Mapping[str, str]:
    """Column labels in ``lang`` ("zh" or "en") for every canonical column name."""
    out: dict[str, str] = {}
    for cols in COLUMNS.values():
        for col in cols:
            out.setdefault(col.name, col.label_zh if lang == "zh" else col.label_en)
    return out
