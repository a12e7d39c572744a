"""The third-party apps under Vietnamese names in the admin ("TASKS DATABASE BACKEND",
"Otp_Totp", "access attempts" read as developer text to a police administrator).

Each config subclasses the package's own (its `ready()` still runs) and only renames: the
app's section and, in `ready()`, its models' names (the packages ship no Vietnamese)."""

from __future__ import annotations

from typing import Any, ClassVar

from axes.apps import AppConfig as AxesBase
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticBase
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpBase
from django_tasks_db.apps import TasksAppConfig as TasksBase


def _rename(config: AppConfig, names: dict[str, tuple[Any, Any]]) -> None:
    for model_name, (one, many) in names.items():
        meta = config.get_model(model_name)._meta
        meta.verbose_name = one
        meta.verbose_name_plural = many


class TasksConfig(TasksBase):
    verbose_name = _("Tác vụ nền (hàng đợi)")  # type: ignore[assignment]  # the base says str
    model_names: ClassVar[dict[str, tuple[Any, Any]]] = {
        "DBTaskResult": (_("tác vụ nền"), _("tác vụ nền")),
    }

    def ready(self) -> None:
        super().ready()
        _rename(self, self.model_names)


class AxesConfig(AxesBase):  # type: ignore[misc]  # the package is untyped
    verbose_name = _("Chống dò mật khẩu (khóa đăng nhập)")
    model_names: ClassVar[dict[str, tuple[Any, Any]]] = {
        "AccessAttempt": (_("lần đăng nhập sai"), _("lần đăng nhập sai")),
        "AccessLog": (_("lượt đăng nhập"), _("lượt đăng nhập")),
        "AccessFailureLog": (_("lượt đăng nhập thất bại"), _("lượt đăng nhập thất bại")),
    }

    def ready(self) -> None:
        super().ready()
        _rename(self, self.model_names)


class OtpTotpConfig(TotpBase):  # type: ignore[misc]  # the package is untyped
    verbose_name = _("Xác thực hai lớp: ứng dụng tạo mã")
    model_names: ClassVar[dict[str, tuple[Any, Any]]] = {
        "TOTPDevice": (_("ứng dụng tạo mã"), _("ứng dụng tạo mã")),
    }

    def ready(self) -> None:
        super().ready()
        _rename(self, self.model_names)


class OtpStaticConfig(StaticBase):  # type: ignore[misc]  # the package is untyped
    verbose_name = _("Xác thực hai lớp: mã khôi phục")
    model_names: ClassVar[dict[str, tuple[Any, Any]]] = {
        "StaticDevice": (_("bộ mã khôi phục"), _("bộ mã khôi phục")),
    }

    def ready(self) -> None:
        super().ready()
        _rename(self, self.model_names)
