"""The core's one table: the deployment marker (``socle.core.deployment``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeploymentMarker(models.Model):
    """One row (``id`` 1): this database's marker, drawn once, and the marker of the Redis
    database the latest ``socle serve`` start used beside it."""

    marker = models.CharField(max_length=32)
    redis_marker = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("marqueur de déploiement")
        verbose_name_plural = _("marqueurs de déploiement")
        default_permissions = ()

    def __str__(self) -> str:
        return self.marker
