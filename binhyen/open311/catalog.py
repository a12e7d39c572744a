"""The Open311 service catalogue: BinhYen's tip categories and question/feedback types, each
with typed attributes (GeoReport v2 "service definitions").

Service codes are a contract: `tip.<category>` for the 12 tip categories of the taxonomy,
`question` and `feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from binhyen.tips.places import gazetteer
from binhyen.tips.services import CATEGORY_LABELS

DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    required: bool = False
    datatype_description: str = ""
    order: int = 0
    values: tuple[tuple[str, str], ...] = ()
    variable: bool = True

    def label_of(self, key: str) -> str:
        return dict(self.values).get(key, key)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: tuple[str, ...]
    intent: str  # tip | question | feedback
    category: str = ""
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)

    @property
    def metadata(self) -> bool:
        return bool(self.attributes)


_YES_NO_ANON = (("true", "Ẩn danh"), ("false", "Để lại thông tin liên hệ"))
_YES_NO = (("true", "Có"), ("false", "Không"))

PROCEDURE_AREAS = (
    ("residence", "Cư trú (đăng ký thường trú, tạm trú, lưu trú)"),
    ("identity_card", "Căn cước, định danh điện tử"),
    ("vehicle_registration", "Đăng ký xe"),
    ("immigration", "Xuất nhập cảnh, hộ chiếu"),
    ("weapons", "Vũ khí, vật liệu nổ, công cụ hỗ trợ"),
    ("fire_safety", "Phòng cháy, chữa cháy"),
    ("conditional_business", "Ngành nghề kinh doanh có điều kiện về an ninh, trật tự"),
    ("traffic_fines", "Xử phạt vi phạm giao thông"),
    ("other", "Khác"),
)
FEEDBACK_KINDS = (
    ("complaint", "Phản ánh, khiếu nại"),
    ("suggestion", "Góp ý, kiến nghị"),
    ("praise", "Khen ngợi"),
)


def _commune_values() -> tuple[tuple[str, str], ...]:

    units = sorted(gazetteer().units, key=lambda u: u.code)
    return tuple((u.code, u.name) for u in units)


def _common(order: int) -> tuple[Attribute, ...]:
    return (
        Attribute(
            code="commune_code",
            datatype="singlevaluelist",
            description="Xã, phường, đặc khu nơi xảy ra (mã đơn vị hành chính từ 2025)",
            order=order,
            values=_commune_values(),
        ),
        Attribute(
            code="anonymous",
            datatype="singlevaluelist",
            description=(
                "Gửi ẩn danh? Khi ẩn danh không được gửi họ tên, điện thoại, thư điện tử; "
                "device_id và account_id bị bỏ qua."
            ),
            required=True,
            order=order + 1,
            values=_YES_NO_ANON,
        ),
        Attribute(
            code="keep_identity_secret",
            datatype="singlevaluelist",
            description="Người gửi đề nghị giữ bí mật danh tính (khi không ẩn danh)",
            order=order + 2,
            values=_YES_NO,
        ),
    )


def _tip_attributes() -> tuple[Attribute, ...]:
    return (
        Attribute(
            code="occurred_at",
            datatype="datetime",
            description="Thời điểm xảy ra (nếu biết)",
            datatype_description="ISO 8601 có múi giờ, ví dụ 2026-03-21T20:30:00+07:00",
            order=1,
        ),
        Attribute(
            code="happening_now",
            datatype="singlevaluelist",
            description="Sự việc đang diễn ra?",
            order=2,
            values=(("true", "Đang diễn ra"), ("false", "Đã xảy ra")),
        ),
        Attribute(
            code="people_involved",
            datatype="number",
            description="Số người liên quan (ước lượng)",
            datatype_description="Số nguyên từ 0 đến 1000",
            order=3,
        ),
        *_common(4),
    )


@lru_cache(maxsize=1)
def services() -> tuple[Service, ...]:
    tips = tuple(
        Service(
            code=f"tip.{code}",
            name=f"Tin báo: {label}",
            description=(
                f"Báo tin về {label.lower()} cho Công an. Có thể gửi ẩn danh; danh tính người "
                "gửi không bao giờ được trả lại qua Open311."
            ),
            group="Tin báo tội phạm, vi phạm pháp luật",
            keywords=("tin báo", "tố giác", code.replace("_", " ")),
            intent="tip",
            category=code,
            attributes=_tip_attributes(),
        )
        for code, label in CATEGORY_LABELS.items()
    )
    return (
        *tips,
        Service(
            code="question",
            name="Hỏi thủ tục hành chính",
            description="Câu hỏi về thủ tục hành chính, pháp luật thuộc lĩnh vực Công an.",
            group="Hỏi thủ tục",
            keywords=("thủ tục", "câu hỏi"),
            intent="question",
            attributes=(
                Attribute(
                    code="procedure_area",
                    datatype="singlevaluelist",
                    description="Lĩnh vực thủ tục",
                    required=True,
                    order=1,
                    values=PROCEDURE_AREAS,
                ),
                *_common(2),
            ),
        ),
        Service(
            code="feedback",
            name="Phản ánh, góp ý",
            description="Phản ánh, góp ý, khen ngợi về công tác của Công an.",
            group="Phản ánh, góp ý",
            keywords=("phản ánh", "góp ý", "khen"),
            intent="feedback",
            attributes=(
                Attribute(
                    code="feedback_kind",
                    datatype="singlevaluelist",
                    description="Loại ý kiến",
                    required=True,
                    order=1,
                    values=FEEDBACK_KINDS,
                ),
                *_common(2),
            ),
        ),
    )


def service(code: str) -> Service | None:
    return next((s for s in services() if s.code == code), None)


def service_for_case(intent: str, category: str, fallback: str) -> Service | None:
    """The service a case currently is (officers may reclassify what was filed)."""
    if intent == "tip" and category:
        found = service(f"tip.{category}")
        if found is not None:
            return found
    if intent in {"question", "feedback"}:
        return service(intent)
    return service(fallback)
