from django.apps import AppConfig


class ContractsUiConfig(AppConfig):
    name = "contracts_ui"
    verbose_name = "Contracts Console"
