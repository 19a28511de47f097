from django.apps import AppConfig


class ContractsUiConfig(AppConfig):
    name = "contracts_ui"
    verbose_name = "Contracts Console"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model, user_logged_in, user_login_failed
        from django.core.checks import register
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_save,
            pre_delete,
            pre_save,
        )

        from contracts_ui import checks, login_log, signals
        from contracts_ui.models import AccountGrant, FabricAccount

        register(checks.bulk_handover_after_writes_in_flight)
        user_model = get_user_model()
        user_logged_in.connect(signals.stamp_login_time, dispatch_uid="session-login-time")
        user_logged_in.connect(login_log.log_login_succeeded, dispatch_uid="login-log-succeeded")
        user_login_failed.connect(login_log.log_login_failed, dispatch_uid="login-log-failed")
        post_save.connect(
            signals.end_sessions_of_deactivated_user,
            sender=user_model,
            dispatch_uid="session-end-deactivated",
        )
        for model in (user_model, FabricAccount):
            for signal in (post_save, post_delete):
                signal.connect(signals.forget_grants_after_change, sender=model)
        pre_save.connect(signals.remember_grant_holders, sender=AccountGrant)
        post_save.connect(signals.end_sessions_after_grant_saved, sender=AccountGrant)
        pre_delete.connect(signals.remember_deleted_grant_holders, sender=AccountGrant)
        post_delete.connect(signals.end_sessions_after_grant_deleted, sender=AccountGrant)
        m2m_changed.connect(
            signals.end_sessions_after_group_change, sender=user_model.groups.through
        )
