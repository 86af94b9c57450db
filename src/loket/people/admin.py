"""Browse the population register; changes go through the services (and the audit log).

Everything here is view-only, national numbers are shown masked, and lists never count
the whole table (``show_full_result_count``): at city scale it holds 550,000 persons.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loket.people.models import Address, Association, Company, Household, Person
from loket.people.selectors import person_name_filter


class ViewOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AliveFilter(admin.SimpleListFilter):
    title = _("alive")
    parameter_name = "alive"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Living")), ("no", _("Deceased"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(date_of_death__isnull=True)
        if self.value() == "no":
            return queryset.filter(date_of_death__isnull=False)
        return queryset


@admin.register(Person)
class PersonAdmin(ViewOnlyAdmin):
    list_display = (
        "last_name",
        "first_name",
        "national_number_masked",
        "birth_date",
        "address",
        "household_relation",
    )
    list_display_links = ("last_name", "first_name")
    list_select_related = ("address",)
    list_filter = (AliveFilter, "gender", "language", "prefers_paper")
    # The search box: name prefixes (see get_search_results). Not national numbers: the
    # admin searches with GET, and a number in a URL ends up in access logs.
    search_fields = ("search_name",)
    search_help_text = _("Last name and first name (or first name and last name).")
    fields = (
        "first_name",
        "last_name",
        "national_number_masked",
        "birth_date",
        "gender",
        "language",
        "address",
        "household",
        "household_relation",
        "date_of_death",
        "prefers_paper",
        "email",
        "phone",
    )
    readonly_fields = ("national_number_masked",)

    @admin.display(description=_("national number"))
    def national_number_masked(self, person: Person) -> str:
        return person.masked_national_number

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # Index-backed prefix search instead of Django's icontains over every row.
        return queryset.filter(person_name_filter(search_term)), False


class MemberInline(admin.TabularInline):
    model = Person
    fields = ("first_name", "last_name", "birth_date", "household_relation")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(ViewOnlyAdmin):
    list_display = ("reference", "address")
    list_select_related = ("address",)
    search_fields = ("=reference",)
    inlines = [MemberInline]


@admin.register(Address)
class AddressAdmin(ViewOnlyAdmin):
    list_display = ("street_name", "house_number", "box_number", "postcode", "municipality_name")
    list_filter = ("postcode",)
    search_fields = ("^street_name", "=register_id")


@admin.register(Company)
class CompanyAdmin(ViewOnlyAdmin):
    list_display = ("name", "formatted_enterprise_number", "legal_form", "registered_address")
    list_select_related = ("registered_address",)
    list_filter = ("legal_form",)
    search_fields = ("name", "=enterprise_number")


@admin.register(Association)
class AssociationAdmin(ViewOnlyAdmin):
    list_display = ("name", "chair", "email")
    list_select_related = ("chair",)
    search_fields = ("name",)
