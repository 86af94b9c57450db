"""The catalogue of products and services (shaped like IPDC / CPSV-AP), life events and
target groups, the versioned form of each service, drafts and uploads of residents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.catalog.constants import LoginLevel
from loket.catalog.fees import FeeRule, TariffCategory, VatRate


class LifeEvent(models.Model):
    """A moment in life that groups services (CPSV-AP ``cv:Event``), e.g. "Verhuizen"."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """Who a service is for: residents, companies, associations, ..."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A product or service of the municipality (CPSV-AP ``cpsv:PublicService``).

    The texts are in Dutch, in clear language. Titles and summaries in other languages
    live in ``translations``: ``{"fr": {"title": ..., "summary": ...}, "en": {...}}``.
    """

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    identifier = models.CharField(
        _("identifier"),
        max_length=200,
        unique=True,
        help_text=_("Stable identifier used in CPSV-AP exports and imports."),
    )
    ipdc_code = models.CharField(
        _("IPDC product number"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("The number of this product in the Flemish product catalogue, if any."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"), max_length=500, help_text=_("One or two sentences in clear language.")
    )
    description = models.TextField(_("description"), blank=True, default="")
    who_can_apply = models.TextField(_("who can apply"), blank=True, default="")
    conditions = models.TextField(_("conditions"), blank=True, default="")
    procedure = models.TextField(_("procedure"), blank=True, default="")
    cost_text = models.TextField(_("cost"), blank=True, default="")
    output = models.TextField(_("what you receive"), blank=True, default="")
    legal_basis = models.TextField(_("legal basis"), blank=True, default="")
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_("Values of Channel.")
    )
    login_level = models.PositiveSmallIntegerField(
        _("login required"), choices=LoginLevel.choices, default=LoginLevel.SUBSTANTIAL
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="services", verbose_name=_("target groups")
    )
    life_events = models.ManyToManyField(
        LifeEvent, blank=True, related_name="services", verbose_name=_("life events")
    )
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("responsible department"),
    )
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["is_published", "title", "id"])]

    def __str__(self) -> str:
        return self.title


class FormDefinition(models.Model):
    """One version of the online form of a service. The newest published version is what
    residents fill in; a submitted case keeps the version number it was filled in with.
    At most one unpublished version (the one staff are editing) exists per service."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="form_versions", verbose_name=_("service")
    )
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"), default=dict)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["service", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="catalog_form_version"),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(published_at__isnull=True),
                name="catalog_form_one_working_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} v{self.version}"


class FormDraft(models.Model):
    """What a resident typed so far, to resume later: one per user, service and the
    party they act for (themselves, a represented person, a company, ...)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="drafts")
    form_version = models.PositiveIntegerField(_("form version"))
    party_kind = models.CharField(_("acting for (kind)"), max_length=20, default="person")
    party_id = models.BigIntegerField(_("acting for"), default=0)
    data = models.JSONField(_("answers"), default=dict, blank=True)
    current_step = models.CharField(_("current step"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    reminded_at = models.DateTimeField(
        _("reminder sent"),
        null=True,
        blank=True,
        help_text=_("When the resident was reminded of this unfinished request (at most once)."),
    )

    class Meta:
        verbose_name = _("form draft")
        verbose_name_plural = _("form drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service", "party_kind", "party_id"],
                name="catalog_draft_unique",
            )
        ]

    def __str__(self) -> str:
        return f"draft {self.service_id}/{self.user_id}"


class FormUpload(models.Model):
    """A file uploaded in a form step, stored under a random, non-guessable name. The
    form's answers refer to it by ``token``; only the same owner can use it again."""

    token = models.CharField(max_length=64, unique=True)
    owner_key = models.CharField(max_length=100, db_index=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="uploads")
    field_key = models.CharField(max_length=100)
    file = models.FileField(upload_to="catalog/uploads/", max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a submitted request took this file; unclaimed files are pruned."),
    )

    class Meta:
        verbose_name = _("form upload")
        verbose_name_plural = _("form uploads")

    def __str__(self) -> str:
        return self.original_name


class Fee(models.Model):
    """What a request for a service costs (see ``loket.catalog.fees``): a standard
    amount once or per item, reduced tariffs per category, a condition that makes it
    free and a VAT rate. Amounts in euro cents, VAT included. No row: free."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="fee", verbose_name=_("service")
    )
    label = models.CharField(
        _("description on the bill"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("E.g. “Huur polyvalente zaal”. Empty: the service's title."),
    )
    amount_cents = models.PositiveIntegerField(_("standard amount (cents)"))
    quantity_field = models.CharField(
        _("question with the number of items"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Empty: the amount is due once. Else the amount is due per item."),
    )
    unit = models.CharField(_("item"), max_length=50, blank=True, default="")
    vat_rate = models.CharField(
        _("VAT rate"), max_length=2, choices=VatRate.choices, default=VatRate.NONE
    )
    resident_cents = models.PositiveIntegerField(
        _("tariff for residents (cents)"), null=True, blank=True
    )
    association_cents = models.PositiveIntegerField(
        _("tariff for associations (cents)"), null=True, blank=True
    )
    senior_cents = models.PositiveIntegerField(
        _("tariff for seniors (cents)"), null=True, blank=True
    )
    free_field = models.CharField(
        _("free when the question"), max_length=100, blank=True, default=""
    )
    free_value = models.CharField(_("has the answer"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.amount_cents}"

    def rule(self) -> FeeRule:
        reduced = {
            TariffCategory.RESIDENT.value: self.resident_cents,
            TariffCategory.ASSOCIATION.value: self.association_cents,
            TariffCategory.SENIOR.value: self.senior_cents,
        }
        return FeeRule(
            label=self.label or self.service.title,
            amount_cents=self.amount_cents,
            quantity_field=self.quantity_field,
            unit=self.unit,
            vat_rate=self.vat_rate,
            reduced={key: value for key, value in reduced.items() if value is not None},
            free_field=self.free_field,
            free_value=self.free_value,
        )
