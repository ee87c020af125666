"""Database tables of the default ticket store (``socle.cas.tickets.db``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SsoSession(models.Model):
    """A single sign-on session, named by the ticket-granting cookie (``TGC-…``)."""

    id = models.CharField(primary_key=True, max_length=80)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_sessions"
    )
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)  # hard limit (SOCLE_CAS_SESSION_MAX)
    authenticated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"session {self.id[:9]}…"


class Ticket(models.Model):
    """Service (``ST-``) and proxy (``PT-``) tickets. Kept after use for single logout."""

    id = models.CharField(primary_key=True, max_length=80)
    session = models.ForeignKey(
        SsoSession, on_delete=models.CASCADE, null=True, blank=True, related_name="tickets"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service_id_ref = models.BigIntegerField(null=True)
    service_url = models.CharField(max_length=2048)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    consumed_at = models.DateTimeField(null=True, blank=True)
    from_new_login = models.BooleanField(default=False)
    proxies = models.JSONField(default=list)
    authenticated_at = models.DateTimeField(null=True, blank=True)  # the SSO session's login

    def __str__(self) -> str:
        return f"ticket {self.id[:9]}…"


class ProxyGrantingTicket(models.Model):
    id = models.CharField(primary_key=True, max_length=80)
    iou = models.CharField(max_length=80, unique=True)
    session = models.ForeignKey(
        SsoSession, on_delete=models.CASCADE, null=True, blank=True, related_name="pgts"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service_id_ref = models.BigIntegerField(null=True)
    callback_url = models.CharField(max_length=2048)
    proxies = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    authenticated_at = models.DateTimeField(null=True, blank=True)  # handed on to its PTs

    def __str__(self) -> str:
        return f"PGT {self.id[:9]}…"
