"""Kinds of unit and the roles a membership gives."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CITY = "city", _("City")
    OFFICE = "office", _("Reform office")
    DEPARTMENT = "department", _("Municipal department")
    COUNTY = "county", _("County or district")
    ZONE = "zone", _("Functional zone")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("Office staff")
    OFFICE_LEADER = "office_leader", _("Office leader")
    UNIT_REPORTER = "unit_reporter", _("Unit liaison")
    UNIT_HEAD = "unit_head", _("Unit head")
    CITY_LEADER = "city_leader", _("City leader")
    EVALUATOR = "evaluator", _("Evaluator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AUDITOR = "auditor", _("Auditor")
    SECURITY_ADMIN = "security_admin", _("Security administrator")


#: Roles that work the ledger of the office they are given in.
OFFICE_ROLES = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_LEADER})
#: Roles that act for a unit on the tasks it leads or helps on.
UNIT_ROLES = frozenset({Role.UNIT_REPORTER, Role.UNIT_HEAD})
#: The three separate administrators (三员分立): no account holds two of them.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN})


class MatchHow(models.TextChoices):
    """How a typed name was matched to a unit or a person (orgs.matching); "" when not."""

    NONE = "", _("Not found")
    CODE = "code", _("By code")
    NAME_WITH_CODE = "name_with_code", _("By the code after the name")
    NAME = "name", _("By name")
    SHORT_NAME = "short_name", _("By short name")
    FORMER_NAME = "former_name", _("By former name")
    ALIAS = "alias", _("By alias")
    COLLECTIVE = "collective", _("Collective name")
    TITLE = "title", _("By title")
