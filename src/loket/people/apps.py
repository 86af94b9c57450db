from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "loket.people"
    label = "people"
    verbose_name = "People"
