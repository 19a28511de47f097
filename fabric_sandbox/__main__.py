"""Command line: `python -m fabric_sandbox serve | seed-demo | large-org` (see README.md)."""

import argparse
import json
import sys
import time
from collections.abc import Sequence

from . import auth
from .bulk import generate_contracts
from .demo import seed_demo
from .provisioning import create_organization
from .server import serve
from .store import Store


def _large_org(db: str, account: str, contracts: int, name: str | None) -> dict[str, object]:
    started = time.monotonic()
    store = Store(db)
    with store.write() as conn:
        auth.ensure_account(conn, account=account, name=account)
        organization = create_organization(
            conn,
            account,
            {
                "name": name or f"Large Organization ({contracts:,} contracts)",
                "email": "procurement@large-org.example",
            },
        )
        generate_contracts(
            conn, account=account, party_id=organization["_id"], count=contracts, seed=1
        )
    store.close_thread()
    return {
        "account": account,
        "organizationId": organization["_id"],
        "contracts": contracts,
        "seconds": round(time.monotonic() - started, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(
        prog="python -m fabric_sandbox", description="A local stand-in for fabric's Customer API."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="answer the API over HTTP")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    run.add_argument("--db", required=True, help="SQLite file (created when missing)")
    run.add_argument("--token-ttl", type=int, default=600, help="token lifetime in seconds")
    run.add_argument("--port-file", help="write the bound port to this file once listening")
    run.add_argument(
        "--documented-only",
        action="store_true",
        help="404 on the endpoints no fabric doc page describes; PATCH by contractId only",
    )

    demo = commands.add_parser("seed-demo", help="load the demo data (idempotent)")
    demo.add_argument("--db", required=True)
    demo.add_argument("--out", required=True, help="directory for demo-accounts.json and secrets")

    large = commands.add_parser("large-org", help="add an organization with many contracts")
    large.add_argument("--db", required=True)
    large.add_argument("--account", required=True, help="24-character account id")
    large.add_argument("--contracts", type=int, default=100_000)
    large.add_argument("--name")

    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(
            host=args.host,
            port=args.port,
            db=args.db,
            token_ttl=args.token_ttl,
            port_file=args.port_file,
            documented_only=args.documented_only,
        )
    elif args.command == "seed-demo":
        print(json.dumps(seed_demo(args.db, args.out)))
    else:
        if auth.ACCOUNT_ID.fullmatch(args.account) is None:
            parser.error("--account must be a 24-character id")
        if args.contracts < 1:
            parser.error("--contracts must be at least 1")
        print(json.dumps(_large_org(args.db, args.account, args.contracts, args.name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
