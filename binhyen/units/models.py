"""Police units (a tree stored as data) and the administrative areas they serve."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """A current administrative unit (province, or commune/ward after the 2025 reform)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        WARD = "ward", _("Phường")
        COMMUNE = "commune", _("Xã")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")

    code = models.CharField(_("mã"), max_length=16, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=200, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")

    def __str__(self) -> str:
        return self.name


class FormerArea(models.Model):
    """A pre-2025 ward/commune/town or district that citizens still name."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("Huyện/thị xã/thành phố (cũ)")
        COMMUNE = "commune", _("Xã/phường/thị trấn (cũ)")

    code = models.CharField(_("mã cũ"), max_length=16)
    level = models.CharField(max_length=16, choices=Level.choices)
    name = models.CharField(_("tên cũ"), max_length=200)
    district_name = models.CharField(_("huyện cũ"), max_length=200, blank=True)
    areas = models.ManyToManyField(Area, related_name="former_areas")

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="former_area_level_code_unique")
        ]
        verbose_name = _("địa bàn cũ")
        verbose_name_plural = _("địa bàn cũ")

    def __str__(self) -> str:
        return f"{self.name} ({self.district_name})" if self.district_name else self.name


class Unit(models.Model):
    """A police unit. The tree is data: units merge and split, so never assume levels."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Công an tỉnh")
        DEPARTMENT = "department", _("Phòng nghiệp vụ")
        COMMUNE = "commune", _("Công an xã/phường")

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    kind = models.CharField(_("cấp"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("/66/24133/"): a subtree is one indexed prefix query.
    path = models.CharField(max_length=500, db_index=True, editable=False)
    areas = models.ManyToManyField(Area, blank=True, related_name="units")
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    phone = models.CharField(_("điện thoại trực ban"), max_length=32, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")
