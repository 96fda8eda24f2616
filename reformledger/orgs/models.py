"""Units, people and memberships: who works where, in which role."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from reformledger.orgs.choices import ADMIN_ROLES, Role, UnitKind


class Unit(MP_Node):
    """A unit (单位) in the tree: the city, a department, county, zone, town or office.

    The materialised path (`path`) lets "this unit and every unit below it" be one
    indexed prefix match. A unit is never deleted: a renamed unit keeps its old
    names in `UnitName`, a merged one is deactivated and points at its successor.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    # No node_order_by: a new unit is appended as the last child, so existing
    # paths never shift and a membership's scope stays stable.

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class UnitName(models.Model):
    """One name a unit bore over a period (单位名称沿革); the current one has no end."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit name")
        verbose_name_plural = _("unit names")
        ordering = ["unit", models.F("valid_from").asc(nulls_first=True), "id"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A person (人员) named in the ledger: a leader, a head, a responsible officer.

    A person need not have an account; one who signs in is linked to a user.
    """

    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class Membership(models.Model):
    """A role (角色) a user holds in a unit; it reaches every unit below that unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("title"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_role_in_unit"
            ),
            # The three separate administrators (三员分立): an account holds at most one
            # active administrator membership, so never two of the three roles. A partial
            # unique index, on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_active=True, role__in=sorted(ADMIN_ROLES)),
                name="membership_one_admin_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class UnitAlias(models.Model):
    """Another text an office uses for a unit (单位别名): "市发改局" for 惠州市发展和改革局.

    A clerk confirms it once, while importing a ledger or a work-points document, and
    the matcher (`orgs.matching.UnitMatcher`) finds the unit by it from then on. The
    alias is unique in its normalised form (`orgs.matching.UnitMatcher.key`), so two
    spellings that differ only in width, spaces, brackets or the city prefix are one.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="aliases"
    )
    alias = models.CharField(_("alias"), max_length=100)
    normalised = models.CharField(_("normalised alias"), max_length=100, unique=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the alias was met, e.g. the name of the imported file."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["unit", "alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit}"
