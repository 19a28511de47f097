"""Create the demo's fabric accounts, users and grants (idempotent), and print the logins.

Only for a DEBUG console: demo passwords are printed in the clear and must never reach production.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contracts_ui.models import AccountGrant, AccountRole, FabricAccount

# (username, password, who they are, {account index in the manifest: role}, superuser)
DEMO_USERS = (
    ("admin", "admin-demo-pass", "administrator, editor everywhere", {0: "e", 1: "e"}, True),
    ("alice", "alice-demo-pass", "account manager: editor on the first account", {0: "e"}, False),
    (
        "bob",
        "bob-demo-pass",
        "account manager: editor on the second, viewer on the first",
        {1: "e", 0: "v"},
        False,
    ),
    ("fiona", "fiona-demo-pass", "finance (Finance group): viewer on both", {}, False),
    ("nora", "nora-demo-pass", "no grant: sees no account", {}, False),
)
FINANCE_GROUP = "Finance"
# The first account's approval policy: alice's and admin's risky changes wait for the other.
DEMO_POLICY = {"approve_deactivation": True, "approve_delete": True, "approve_bulk_over": 100}
_ROLES = {"e": AccountRole.EDITOR, "v": AccountRole.VIEWER}


class Command(BaseCommand):
    help = "Create the demo accounts, users and grants from the stand-in's demo manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fabric-manifest", required=True, type=Path)

    def handle(self, *args, fabric_manifest: Path, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_setup only runs with DEBUG on: it creates known passwords.")
        try:
            manifest = json.loads(fabric_manifest.read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {fabric_manifest}: {error}") from error
        with transaction.atomic():
            accounts = [self._account(entry) for entry in manifest]
            if accounts:
                FabricAccount.objects.filter(pk=accounts[0].pk).update(**DEMO_POLICY)
            finance = self._finance_group(accounts)
            for username, password, _, grants, superuser in DEMO_USERS:
                user = self._user(username, password, superuser)
                for index, role in grants.items():
                    if index < len(accounts):
                        AccountGrant.objects.update_or_create(
                            account=accounts[index], user=user, defaults={"role": _ROLES[role]}
                        )
                if username == "fiona":
                    user.groups.add(finance)
        self._print_logins(accounts)

    def _account(self, entry: dict) -> FabricAccount:
        account, _ = FabricAccount.objects.update_or_create(
            account_id=entry["account"],
            defaults={
                "name": entry["name"],
                "client_id": entry["client_id"],
                "client_secret_ref": f"env:{entry['secret_env']}",
                "stage": entry.get("stage", ""),
                "channel": entry.get("channel"),
            },
        )
        return account

    def _finance_group(self, accounts: list[FabricAccount]) -> Group:
        group, _ = Group.objects.get_or_create(name=FINANCE_GROUP)
        for account in accounts:
            AccountGrant.objects.update_or_create(
                account=account, group=group, defaults={"role": AccountRole.VIEWER}
            )
        return group

    def _user(self, username: str, password: str, superuser: bool):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "is_staff": superuser,
                "is_superuser": superuser,
                # Approval notices go to these; the demo prints mail in the console's log.
                "email": f"{username}@demo.example",
            },
        )
        if created:
            user.set_password(password)
            user.save()
        return user

    def _print_logins(self, accounts: list[FabricAccount]) -> None:
        self.stdout.write("Demo accounts: " + ", ".join(a.name for a in accounts))
        self.stdout.write("Demo logins (username / password — who):")
        for username, password, description, _, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<6} / {password:<16} — {description}")
        if accounts:
            self.stdout.write(
                f"Approval policy on {accounts[0].name}: setting a contract INACTIVE, a soft "
                f"delete and bulk jobs over {DEMO_POLICY['approve_bulk_over']} contracts wait "
                "for a second editor (alice proposes, admin approves, or the other way round)."
            )
