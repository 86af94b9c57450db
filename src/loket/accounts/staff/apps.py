from django.apps import AppConfig


class StaffAccountsConfig(AppConfig):
    name = "loket.accounts.staff"
    label = "accounts_staff"
    verbose_name = "Staff login"
