"""`loket catalog-import file.jsonld`: create or update services from CPSV-AP JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.catalog import services
from loket.core.selectors import department_list
from loket.core.services import DomainError


class Command(BaseCommand):
    help = (
        "Import public services from a CPSV-AP JSON-LD file. Services are matched on "
        "their identifier: importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON-LD file ('-' is not supported)")
        parser.add_argument(
            "--department",
            help="slug of the department for services whose competent authority is unknown",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except (UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{path} is not JSON: {error}") from None
        department_id = None
        if options.get("department"):
            department_id = (
                department_list()
                .filter(slug=options["department"])
                .values_list("pk", flat=True)
                .first()
            )
            if department_id is None:
                raise CommandError(f"no department with slug {options['department']!r}")
        try:
            created, updated, identifiers = services.catalog_import_jsonld(
                actor=None, document=document, default_department_id=department_id
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{len(identifiers)} services read: {created} created, {updated} updated."
        )
