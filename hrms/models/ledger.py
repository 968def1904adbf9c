from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    """An append-only, hash-chained record of a decision (DESIGN.md §3).

    Written only through hrms.ledger.append_entry; never updated or deleted
    (on PostgreSQL a trigger refuses both).
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    payload = models.TextField(_("payload (canonical JSON)"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("audit ledger")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class LedgerCheckpoint(models.Model):
    """The last entry a full `verify_ledger` run found intact, with its hash.

    The red-flag screen re-checks only the entries after the latest checkpoint, so
    a page view costs the new entries, not a million; the full chain is proved by
    `verify_ledger` (run it nightly), which leaves a new checkpoint when intact.
    """

    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)

    class Meta:
        ordering = ["-seq", "-pk"]
        verbose_name = _("ledger checkpoint")
        verbose_name_plural = _("ledger checkpoints")

    def __str__(self) -> str:
        return f"#{self.seq} ({self.verified_at:%d/%m/%Y %H:%M})"
