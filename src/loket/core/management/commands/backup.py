"""`loket backup --output FILE`: one archive with the database, the stored files and a
manifest (see ``loket.core.backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from loket.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the stored files into one tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="The archive to write (default: loket-backup-<date>-<time>.tar.gz here).",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.localtime()
        output = options["output"] or Path(f"loket-backup-{stamp:%Y%m%d-%H%M%S}.tar.gz")
        try:
            report = backup_create(output=output, using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(report.counts.values())
        self.stdout.write(
            f"Wrote {report.path} ({report.size / 1e6:.1f} MB) in {report.seconds:.1f} s: "
            f"database {report.database_bytes / 1e6:.1f} MB ({rows} rows), "
            f"{report.files} files ({report.files_bytes / 1e6:.1f} MB)."
        )
        self.stdout.write(
            "The archive holds personal data: keep it encrypted and out of reach "
            "(see docs/deploy.md)."
        )
